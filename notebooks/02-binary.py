# %% [markdown]
# # 02 · Binary classification: sigmoid with cross-entropy, not with MSE
#
# **Lecture 2-4, p. 5–14.** Two nominal values (red, black) are coded 0/1 and the output unit is a
# sigmoid, $y = \sigma(\mathrm{net})$. Its error must not be MSE. With
# $E = \tfrac12 (t - y)^2$ the gradient at the output unit is
#
# $$\frac{\partial E}{\partial \mathrm{net}} = -(t - y)\,y(1 - y),$$
#
# and when the net is confidently wrong ($t = 1$, $y \to 0$) the factor $y(1-y)$ kills it: learning
# stalls exactly where it is needed (p. 10). Cross-entropy,
# $E = -[t\log y + (1-t)\log(1-y)]$, has $\partial E/\partial\mathrm{net} = y - t$ (p. 12), which
# stays near $-1$ there. Read as probabilities, cross-entropy is the negative log of the chance the
# network gives the right answers (p. 13–14).

# %%
try:
    import nnref  # noqa: F401
except ModuleNotFoundError:
    raise SystemExit(
        "This notebook needs nnref: pip install nnref (in nnref's repository: pip install -e '.[dev]'), "
        "then restart the kernel."
    ) from None
import matplotlib.pyplot as plt
import torch

from nnref.data import TaskData
from nnref.experiments import saturation
from nnref.testing import check_exercise

torch.set_num_threads(1)

# %% [markdown]
# ## The two gradients, against the output y (target t = 1)

# %%
curves = saturation.gradient_curves(99)
plt.semilogy(curves["y"], curves["abs_grad_mse"], label="sigmoid + MSE: |−(t − y)·y(1 − y)|")
plt.semilogy(curves["y"], curves["abs_grad_ce"], label="sigmoid + cross-entropy: |y − t|")
plt.xlabel("output y (the target is 1)")
plt.ylabel("|∂E/∂net|")
plt.legend()
plt.show()

# %% [markdown]
# ## Training from a confidently wrong start
#
# The binary head on breast_cancer, from a start where every output says $y \approx 0.001$ (output
# weights 0, output bias −7). The same weights, the same full-batch GD, the same epochs; only the
# loss differs.

# %%
data = TaskData(source="breast_cancer", target_encoding="binary", batching="full").load()
for loss in ("mse", "ce"):
    run = saturation.train_from_wrong_start(data, loss, epochs=30, lr=0.5)
    plt.plot(run["acc"], label=f"loss={loss}")
    print(f"loss={loss}: train accuracy {run['acc'][0]:.3f} -> {run['acc'][-1]:.3f}")
plt.xlabel("epoch")
plt.ylabel("train accuracy")
plt.legend()
plt.show()

# %% [markdown]
# ## Exercise 1: the gradient of sigmoid + ½·MSE
#
# Write `sigmoid_mse_grad(net, t)`: $\partial E/\partial \mathrm{net}$ of $E = \tfrac12(t - \sigma(\mathrm{net}))^2$,
# elementwise, for tensors `net` and `t` of the same shape. Use the formula, not autograd.


# %% tags=["exercise"]
def sigmoid_mse_grad(net, t):
    """dE/dnet of E = 1/2 (t - sigmoid(net))^2, elementwise."""
    # BEGIN SOLUTION
    y = torch.sigmoid(net)
    return -(t - y) * y * (1 - y)
    # END SOLUTION


# %% tags=["check"]
check_exercise("sigmoid_mse_grad", sigmoid_mse_grad)

# %% [markdown]
# ## Exercise 2: binary cross-entropy
#
# Write `binary_cross_entropy(y, t)`: the mean over samples of $-[t\log y + (1-t)\log(1-y)]$, where
# `y` holds probabilities (sigmoid outputs) and `t` the 0/1 targets.


# %% tags=["exercise"]
def binary_cross_entropy(y, t):
    """The mean over samples of -[t log y + (1 - t) log(1 - y)]; y are probabilities."""
    # BEGIN SOLUTION
    return -(t * torch.log(y) + (1 - t) * torch.log(1 - y)).mean()
    # END SOLUTION


# %% tags=["check"]
check_exercise("binary_cross_entropy", binary_cross_entropy)

# %% [markdown]
# # 01 · Regression: a linear output, and why hidden layers must not be linear
#
# **Lecture 2-4, p. 3–4.** A sigmoid output gives numbers in (0, 1), but a regression target can
# be any real number. The course's answer is to drop the activation at the output layer:
#
# $$y = \mathrm{net} = \mathbf{w}^\top \mathbf{h} + b,\qquad E = \tfrac{1}{N}\sum_n (t_n - y_n)^2 .$$
#
# Only the output layer goes linear. A hidden layer with a linear (identity) activation adds
# nothing: $W_2(W_1\mathbf{x} + \mathbf{b}_1) + \mathbf{b}_2 = (W_2W_1)\mathbf{x} + (W_2\mathbf{b}_1 + \mathbf{b}_2)$,
# one linear map. The non-linear hidden layers do the work; the output only sets the range.

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
from torch import nn

from nnref.data import TaskData
from nnref.experiments import collapse
from nnref.loop import build, fit
from nnref.optim import Adam
from nnref.testing import check_exercise

torch.set_num_threads(1)

# %% [markdown]
# ## The regression head, linear and sigmoid
#
# nnref's regression head standardises the target for the identity output; its course variant,
# `output="sigmoid"`, must rescale the target into 0..1 first (lecture 2-4 p. 4, solution 1). Both
# train on the diabetes data with the same network and optimizer; R² is in the target's own units.

# %%
for output in ("identity", "sigmoid"):
    data = TaskData(
        source="diabetes",
        target_encoding="minmax" if output == "sigmoid" else "standard",
        batching="mini",
    ).load()
    net, head = build("regression", data, hidden=(16,), seed=0, output=output)
    curve = fit(
        net,
        head,
        data.x_train,
        data.y_train,
        Adam(net.parameters(), lr=0.003),
        40,
        batch_size=32,
        on_epoch=lambda epoch: epoch.train_loss,
    )
    with torch.no_grad():
        r2 = head.compute_metrics(net(data.x_test), data.y_test)["r2"]
    plt.plot(curve, label=f"output={output}")
    print(f"output={output:<8}  test R² = {r2:.3f}")
plt.xlabel("epoch")
plt.ylabel("train loss (the target's training units)")
plt.legend()
plt.show()

# %% [markdown]
# ## Identity hidden layers fold into one layer
#
# `nnref.experiments.collapse.fold` multiplies the layers out. On an identity-activation network
# the folded layer gives the same outputs, to float64 rounding:

# %%
print(collapse.fold_check(hidden=(16, 16, 16)))

# %% [markdown]
# ## Exercise: fold a stack of linear layers
#
# Write `fold_linear_layers(layers)`: given a list of `nn.Linear` layers applied one after the
# other (no activation between them), return **one** `nn.Linear` with the same outputs. Apply the
# two rules above layer by layer.


# %% tags=["exercise"]
def fold_linear_layers(layers):
    """A list of nn.Linear layers (applied in order, identity activations) -> one equal nn.Linear."""
    # BEGIN SOLUTION
    weight, bias = layers[0].weight, layers[0].bias
    for layer in layers[1:]:
        weight, bias = layer.weight @ weight, layer.weight @ bias + layer.bias
    folded = nn.Linear(weight.shape[1], weight.shape[0], dtype=weight.dtype)
    with torch.no_grad():
        folded.weight.copy_(weight)
        folded.bias.copy_(bias)
    return folded
    # END SOLUTION


# %% tags=["check"]
check_exercise("fold_linear_layers", fold_linear_layers)

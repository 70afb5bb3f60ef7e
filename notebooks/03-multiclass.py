# %% [markdown]
# # 03 · Multi-class classification: one-hot targets, softmax, cross-entropy
#
# **Lecture 2-4, p. 15–22.** Coding red, yellow and blue as 1, 0.5 and 0 for one sigmoid output
# tells the network an order that the classes do not have: under MSE, calling red "yellow" costs
# less than calling it "blue" (p. 17). Instead each class gets its own output, and the targets are
# one-hot vectors (p. 18). The outputs then go through a softmax, so that they sum to 1 as the
# targets do (p. 20–21),
#
# $$y_k = \frac{e^{\mathrm{net}_k}}{\sum_j e^{\mathrm{net}_j}},\qquad E = -\frac1N\sum_n\sum_k t_{nk}\log y_{nk}\quad\text{(p. 22)}.$$

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

from nnref.experiments import ordinal_vs_onehot
from nnref.testing import check_exercise

torch.set_num_threads(1)

# %% [markdown]
# ## Ordinal codes against one-hot, on digits
#
# The same body, optimizer and epochs: one sigmoid output trained towards the codes 1, …, 0, or
# ten softmax outputs trained with cross-entropy. The ordinal head's mistakes land on neighbouring
# codes, as if the digits were ordered.

# %%
r = ordinal_vs_onehot.run(epochs=5)
print(f"test accuracy: ordinal {r['acc_ordinal']:.3f}, one-hot {r['acc_onehot']:.3f}")
print(
    f"ordinal errors on a neighbouring code: {r['ordinal_errors_to_neighbours']:.0%} "
    f"(by chance: {r['neighbour_share_by_chance']:.0%})"
)
fig, axes = plt.subplots(1, 2, figsize=(8, 3.6))
for ax, key in zip(axes, ("confusion_ordinal", "confusion_onehot")):
    ax.imshow(torch.tensor(r[key]).log1p(), cmap="Blues")
    ax.set(title=key.split("_")[1], xlabel="predicted", ylabel="true")
plt.show()

# %% [markdown]
# ## Exercise 1: one-hot targets
#
# Write `one_hot(labels, classes)`: a float tensor of shape `(len(labels), len(classes))` with one 1
# per row, its columns in the order of `classes` (which need not be sorted).


# %% tags=["exercise"]
def one_hot(labels, classes):
    """Nominal labels -> float one-hot rows (n, len(classes)), columns in the order of classes."""
    # BEGIN SOLUTION
    rows = torch.zeros(len(labels), len(classes))
    for i, label in enumerate(labels):
        rows[i, classes.index(label)] = 1.0
    return rows
    # END SOLUTION


# %% tags=["check"]
check_exercise("one_hot", one_hot)

# %% [markdown]
# ## Exercise 2: softmax
#
# Write `softmax(net)`: each row of an `(n, K)` tensor to probabilities. It must stay finite for net
# inputs of ±1000 (hint: subtracting a constant from a row changes nothing, since $e^{-c}$ cancels).


# %% tags=["exercise"]
def softmax(net):
    """Each row of net (n, K): exp, then normalise so that the row sums to 1."""
    # BEGIN SOLUTION
    e = torch.exp(net - net.max(dim=1, keepdim=True).values)
    return e / e.sum(dim=1, keepdim=True)
    # END SOLUTION


# %% tags=["check"]
check_exercise("softmax", softmax)

# %% [markdown]
# ## Exercise 3: cross-entropy on one-hot targets
#
# Write `cross_entropy(y, t)`: the mean over samples of $-\sum_k t_k\log y_k$, where `y` are
# probabilities and `t` one-hot rows, both `(n, K)`.


# %% tags=["exercise"]
def cross_entropy(y, t):
    """The mean over samples of -sum_k t_k log y_k; y probabilities, t one-hot, both (n, K)."""
    # BEGIN SOLUTION
    return -(t * torch.log(y)).sum(dim=1).mean()
    # END SOLUTION


# %% tags=["check"]
check_exercise("cross_entropy", cross_entropy)

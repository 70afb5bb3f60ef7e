# %% [markdown]
# # 04 · Multi-label classification: a sigmoid per label, their cross-entropies added
#
# **Lecture 2-4, p. 23–26.** In multi-class exactly one class is right, so the targets sum to 1. In
# multi-label a row may carry any set of labels (none, one, all): the targets need not sum to 1, so
# the output layer keeps a sigmoid per label (p. 24), and each label is its own binary problem. The
# network's error is the sum of the labels' cross-entropies (p. 25):
#
# $$E = \frac1N\sum_n\sum_{l} -\big[t_{nl}\log y_{nl} + (1 - t_{nl})\log(1 - y_{nl})\big],\qquad y_{nl} = \sigma(\mathrm{net}_{nl}).$$

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
from nnref.loop import build, fit
from nnref.optim import Adam
from nnref.testing import check_exercise

torch.set_num_threads(1)

# %% [markdown]
# ## Digits side by side: which digits does an image show?
#
# nnref's multi-label head on 1 to 3 digits tiled on one canvas; each of the ten labels is a sigmoid.

# %%
data = TaskData(source="digits_multilabel", target_encoding="multihot", n_samples=1200).load()
net, head = build("multilabel", data, hidden=(64,), seed=0)
fit(net, head, data.x_train, data.y_train, Adam(net.parameters(), lr=0.003), 15, batch_size=32)
with torch.no_grad():
    outputs = head.predict(net(data.x_test))
    metrics = head.compute_metrics(net(data.x_test), data.y_test)
print(f"test f1_macro {metrics['f1_macro']:.3f}, exact match {metrics['exact_match']:.3f}")
print("first test row's outputs:", [round(v, 2) for v in outputs[0].tolist()])
print(f"row sums of the outputs: {outputs.sum(dim=1)[:5].tolist()} (no reason to be 1)")
plt.hist(outputs.sum(dim=1).numpy(), bins=30)
plt.xlabel("sum of a row's ten sigmoid outputs")
plt.show()

# %% [markdown]
# ## Exercise: the multi-label loss
#
# Write `multilabel_loss(net, t)`: from the logits `net` (n, L) and multi-hot targets `t`, the mean
# over samples of the sum over labels of the binary cross-entropies. It must stay finite for net
# inputs of ±100 (hint: `torch.nn.functional.logsigmoid`, or torch's BCE *with logits*).


# %% tags=["exercise"]
def multilabel_loss(net, t):
    """Mean over samples of the sum over labels of BCE(sigmoid(net), t); net and t are (n, L)."""
    # BEGIN SOLUTION
    per_label = torch.nn.functional.binary_cross_entropy_with_logits(net, t, reduction="none")
    return per_label.sum(dim=1).mean()
    # END SOLUTION


# %% tags=["check"]
check_exercise("multilabel_loss", multilabel_loss)

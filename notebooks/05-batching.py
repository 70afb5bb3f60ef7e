# %% [markdown]
# # 05 · Batch, stochastic and mini-batch gradient descent
#
# **Lecture 3-1, p. 3–14.** Batch GD adds up every training row's gradient before one update (p. 4–5).
# Stochastic GD updates after each row: not the exact gradient, but $n$ cheap approximate steps
# instead of one exact one, which is often better per second (p. 6–9). Mini-batch GD takes $B$ rows
# at a time: a sample of size $B$ whose mean gradient estimates the whole set's, as a sample mean
# estimates a population's (p. 11–12),
#
# $$\mathbf{g}_B = \frac1B\sum_{i\in\text{batch}} \nabla E_i(\mathbf{w}),\qquad \mathbb{E}[\mathbf{g}_B] = \nabla E(\mathbf{w}),\qquad \mathbb{E}\,|\mathbf{g}_B - \nabla E|^2 \approx \frac{\operatorname{tr} S}{B}.$$

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
from nnref.experiments import gradient_noise
from nnref.loop import build, fit, mean_loss
from nnref.optim import GD
from nnref.testing import check_exercise

torch.set_num_threads(1)

# %% [markdown]
# ## The three batchings, per epoch
#
# The binary head on breast_cancer, GD at the same lr from the same start; one epoch is 1,
# $\lceil n/32\rceil$ or $n$ updates.

# %%
data = TaskData(source="breast_cancer", target_encoding="binary").load()
x, y = data.x_train, data.y_train
for batching, size in (("full", None), ("mini", 32), ("stochastic", 1)):
    net, head = build("binary", data, hidden=(64,), seed=0)
    curve = fit(
        net,
        head,
        x,
        y,
        GD(net.parameters(), lr=0.05),
        8,
        batch_size=size,
        on_epoch=lambda epoch, net=net, head=head: mean_loss(net, head, x, y),
    )
    plt.plot(range(1, 9), curve, marker="o", label=batching)
    print(f"{batching:<10} train loss after 8 epochs: {curve[-1]:.4f}")
plt.xlabel("epoch")
plt.ylabel("train loss")
plt.legend()
plt.show()

# %% [markdown]
# ## A mini-batch gradient is a sample estimate
#
# At one fixed $\mathbf{w}$ (digits), the variance of the mini-batch gradient around the full one
# falls as $1/B$: slope −1 on log-log axes.

# %%
r = gradient_noise.run(n_batches=100)
sizes = r["batch_sizes"]
plt.loglog(sizes, [r["variance"][str(b)] for b in sizes], "o-", label="measured")
plt.loglog(sizes, [r["predicted_variance"][str(b)] for b in sizes], "--", label="tr(S)/B")
plt.xlabel("batch size B")
plt.ylabel("E|g_B − g|²")
plt.legend()
plt.show()
print(f"log-log slope: {r['slope']:.2f}")

# %% [markdown]
# ## Exercise: an epoch's mini-batches
#
# Write `minibatches(n, batch_size, generator)`: a list of `LongTensor` index batches for one epoch
# over rows `0 … n−1`. Each row is visited exactly once, in an order drawn from `generator` (a
# `torch.Generator`), `batch_size` rows a batch; the last batch may be short.


# %% tags=["exercise"]
def minibatches(n, batch_size, generator):
    """One epoch's index batches over rows 0..n-1: a permutation drawn from generator, in slices."""
    # BEGIN SOLUTION
    order = torch.randperm(n, generator=generator)
    return list(order.split(batch_size))
    # END SOLUTION


# %% tags=["check"]
check_exercise("minibatches", minibatches)

# %% [markdown] tags=["en"]
# # 05 · Batch, stochastic and mini-batch gradient descent
#
# **Lecture 3-1, p. 3–14.** Batch GD adds up every training row's gradient before one update (p. 4–5).
# Stochastic GD updates after each row: not the exact gradient, but $n$ cheap approximate steps
# instead of one exact one, which is often better per second (p. 6–9). Mini-batch GD takes $B$ rows
# at a time: a sample of size $B$ whose mean gradient estimates the whole set's, as a sample mean
# estimates a population's (p. 11–12),
#
# $$\mathbf{g}_B = \frac1B\sum_{i\in\text{batch}} \nabla E_i(\mathbf{w}),\qquad \mathbb{E}[\mathbf{g}_B] = \nabla E(\mathbf{w}),\qquad \mathbb{E}\,|\mathbf{g}_B - \nabla E|^2 \approx \frac{\operatorname{tr} S}{B}.$$

# %% [markdown] tags=["ko"]
# # 05 · 배치, 확률적, 미니배치 경사 하강법
#
# **강의 3-1, p3–14.** 배치 GD는 트레이닝 데이터의 모든 행에서 그래디언트를 구해 더한 뒤 업데이트를 한 번
# 한다(p4–5). 확률적 GD는 행 하나를 볼 때마다 업데이트한다. 정확한 그래디언트는 아니지만, 정확한 스텝 한
# 번 대신 값싼 근사 스텝을 $n$번 진행하므로 시간으로 따지면 이쪽이 나을 때가 많다(p6–9). 미니배치 GD는
# 한 번에 $B$개 행을 쓴다. 크기가 $B$인 표본의 평균 그래디언트로 전체의 그래디언트를 추정하는 것이고,
# 표본 평균으로 모집단의 평균을 추정하는 것과 같다(p11–12).
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

# [ko] nnref.testing.use_language("ko")  # 검사 도구의 보고서를 한국어로

torch.set_num_threads(1)

# %% [markdown] tags=["en"]
# ## The three batchings, per epoch
#
# The binary head on breast_cancer, GD at the same lr from the same start; one epoch is 1,
# $\lceil n/32\rceil$ or $n$ updates.

# %% [markdown] tags=["ko"]
# ## 세 가지 배치 방식을 에포크 단위로 비교하기
#
# breast_cancer 데이터의 이진 분류 헤드를 같은 시작점에서 같은 학습률의 GD로 학습해 보자. 한 에포크는
# 업데이트 1번, $\lceil n/32\rceil$번, 또는 $n$번이다.

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

# %% [markdown] tags=["en"]
# ## A mini-batch gradient is a sample estimate
#
# At one fixed $\mathbf{w}$ (digits), the variance of the mini-batch gradient around the full one
# falls as $1/B$: slope −1 on log-log axes.

# %% [markdown] tags=["ko"]
# ## 미니배치 그래디언트는 표본 추정값이다
#
# 고정된 $\mathbf{w}$ 하나에서(digits), 전체 그래디언트를 중심으로 한 미니배치 그래디언트의 분산은
# $1/B$에 비례해 줄어든다. 로그-로그 축에서는 기울기가 −1인 직선이 된다.

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

# %% [markdown] tags=["en"]
# ## Exercise: an epoch's mini-batches
#
# Write `minibatches(n, batch_size, generator)`: a list of `LongTensor` index batches for one epoch
# over rows `0 … n−1`. Each row is visited exactly once, in an order drawn from `generator` (a
# `torch.Generator`), `batch_size` rows a batch; the last batch may be short.


# %% [markdown] tags=["ko"]
# ## 연습 문제: 한 에포크의 미니배치
#
# `minibatches(n, batch_size, generator)` 함수를 작성하라. 행 `0 … n−1`을 한 에포크 동안 도는 인덱스 배치를
# `LongTensor`의 리스트로 돌려주어야 한다. 각 행은 `generator`(`torch.Generator`)에서 뽑은 순서로 정확히
# 한 번씩 들르고, 배치마다 `batch_size`개 행이 들어간다. 마지막 배치는 더 작을 수 있다.


# %% tags=["exercise"]
def minibatches(n, batch_size, generator):
    """One epoch's index batches over rows 0..n-1: a permutation drawn from generator, in slices."""
    # BEGIN SOLUTION
    order = torch.randperm(n, generator=generator)
    return list(order.split(batch_size))
    # END SOLUTION


# %% tags=["check"]
check_exercise("minibatches", minibatches)

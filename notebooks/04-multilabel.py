# %% [markdown] tags=["en"]
# # 04 · Multi-label classification: a sigmoid per label, their cross-entropies added
#
# **Lecture 2-4, p. 23–26.** In multi-class exactly one class is right, so the targets sum to 1. In
# multi-label a row may carry any set of labels (none, one, all): the targets need not sum to 1, so
# the output layer keeps a sigmoid per label (p. 24), and each label is its own binary problem. The
# network's error is the sum of the labels' cross-entropies (p. 25):
#
# $$E = \frac1N\sum_n\sum_{l} -\big[t_{nl}\log y_{nl} + (1 - t_{nl})\log(1 - y_{nl})\big],\qquad y_{nl} = \sigma(\mathrm{net}_{nl}).$$

# %% [markdown] tags=["ko"]
# # 04 · 멀티 레이블 분류: 레이블마다 시그모이드 하나, 교차 엔트로피는 더한다
#
# **강의 2-4, p23–26.** 멀티 클래스 분류에서는 맞는 클래스가 꼭 하나이므로 타겟값의 합이 1이다. 멀티
# 레이블 분류에서는 한 행에 어떤 레이블 조합이든(없음, 하나, 전부) 붙을 수 있다. 타겟값의 합이 1일
# 필요가 없으므로 출력 레이어는 레이블마다 시그모이드를 하나씩 두고(p24), 레이블 하나하나가 따로 이진
# 분류 문제가 된다. 에러함수는 레이블별 교차 엔트로피의 합이다(p25).
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

# [ko] nnref.testing.use_language("ko")  # 검사 도구의 보고서를 한국어로

torch.set_num_threads(1)

# %% [markdown] tags=["en"]
# ## Digits side by side: which digits does an image show?
#
# nnref's multi-label head on 1 to 3 digits tiled on one canvas; each of the ten labels is a sigmoid.

# %% [markdown] tags=["ko"]
# ## 나란히 놓인 숫자: 이미지에 어떤 숫자들이 있는가?
#
# 캔버스 하나에 숫자를 1개에서 3개까지 나란히 붙인 데이터를 nnref의 멀티 레이블 헤드로 학습해 보자.
# 레이블 열 개가 각각 시그모이드를 하나씩 쓴다.

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

# %% [markdown] tags=["en"]
# ## Exercise: the multi-label loss
#
# Write `multilabel_loss(net, t)`: from the logits `net` (n, L) and multi-hot targets `t`, the mean
# over samples of the sum over labels of the binary cross-entropies. It must stay finite for net
# inputs of ±100 (hint: `torch.nn.functional.logsigmoid`, or torch's BCE *with logits*).


# %% [markdown] tags=["ko"]
# ## 연습 문제: 멀티 레이블 분류의 에러함수
#
# `multilabel_loss(net, t)` 함수를 작성하라. 로짓 `net` (n, L)과 멀티-핫 타겟값 `t`로부터, 레이블별 이진 교차
# 엔트로피의 합을 샘플에 대해 평균한 값을 돌려주어야 한다. net 입력이 ±100이어도 결과가 유한해야
# 한다(힌트: `torch.nn.functional.logsigmoid`, 또는 torch의 *with logits* BCE).


# %% tags=["exercise"]
def multilabel_loss(net, t):
    """Mean over samples of the sum over labels of BCE(sigmoid(net), t); net and t are (n, L)."""
    # BEGIN SOLUTION
    per_label = torch.nn.functional.binary_cross_entropy_with_logits(net, t, reduction="none")
    return per_label.sum(dim=1).mean()
    # END SOLUTION


# %% tags=["check"]
check_exercise("multilabel_loss", multilabel_loss)

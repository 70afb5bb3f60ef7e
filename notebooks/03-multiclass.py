# %% [markdown] tags=["en"]
# # 03 · Multi-class classification: one-hot targets, softmax, cross-entropy
#
# **Lecture 2-4, p. 15–22.** Coding red, yellow and blue as 1, 0.5 and 0 for one sigmoid output
# tells the network an order that the classes do not have: under MSE, calling red "yellow" costs
# less than calling it "blue" (p. 17). Instead each class gets its own output, and the targets are
# one-hot vectors (p. 18). The outputs then go through a softmax, so that they sum to 1 as the
# targets do (p. 20–21),
#
# $$y_k = \frac{e^{\mathrm{net}_k}}{\sum_j e^{\mathrm{net}_j}},\qquad E = -\frac1N\sum_n\sum_k t_{nk}\log y_{nk}\quad\text{(p. 22)}.$$

# %% [markdown] tags=["ko"]
# # 03 · 멀티 클래스 분류: 원-핫 타겟값, 소프트맥스, 교차 엔트로피
#
# **강의 2-4, p15–22.** 빨강, 노랑, 파랑을 시그모이드 출력 하나의 1, 0.5, 0으로 나타내면, 클래스에 없는
# 순서를 뉴럴넷에 가르치는 셈이다. MSE로 재면 빨강을 "노랑"이라고 답할 때가 "파랑"이라고 답할 때보다
# 손실이 작다(p17). 그 대신 클래스마다 출력을 하나씩 두고, 타겟값은 원-핫 벡터로 한다(p18). 출력은
# 소프트맥스를 거쳐 타겟값처럼 합이 1이 된다(p20–21).
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

# [ko] nnref.testing.use_language("ko")  # 검사 도구의 보고서를 한국어로

torch.set_num_threads(1)

# %% [markdown] tags=["en"]
# ## Ordinal codes against one-hot, on digits
#
# The same body, optimizer and epochs: one sigmoid output trained towards the codes 1, …, 0, or
# ten softmax outputs trained with cross-entropy. The ordinal head's mistakes land on neighbouring
# codes, as if the digits were ordered.

# %% [markdown] tags=["ko"]
# ## digits 데이터에서 순서형 코드와 원-핫 인코딩 비교하기
#
# 몸통, 옵티마이저, 에포크는 같다. 한쪽은 시그모이드 출력 하나를 코드 1, …, 0에 가깝게 학습하고, 다른
# 쪽은 소프트맥스 출력 열 개를 교차 엔트로피로 학습한다. 순서형 헤드가 틀린 답은 마치 숫자 클래스 사이에
# 순서가 있는 것처럼 이웃한 코드로 몰린다.

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

# %% [markdown] tags=["en"]
# ## Exercise 1: one-hot targets
#
# Write `one_hot(labels, classes)`: a float tensor of shape `(len(labels), len(classes))` with one 1
# per row, its columns in the order of `classes` (which need not be sorted).


# %% [markdown] tags=["ko"]
# ## 연습 문제 1: 원-핫 타겟값
#
# `one_hot(labels, classes)` 함수를 작성하라. 모양이 `(len(labels), len(classes))`이고 행마다 1이 하나씩 있는
# float 텐서를 돌려주어야 한다. 열은 `classes`의 순서를 따른다(`classes`는 정렬되어 있지 않을 수
# 있다).


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

# %% [markdown] tags=["en"]
# ## Exercise 2: softmax
#
# Write `softmax(net)`: each row of an `(n, K)` tensor to probabilities. It must stay finite for net
# inputs of ±1000 (hint: subtracting a constant from a row changes nothing, since $e^{-c}$ cancels).


# %% [markdown] tags=["ko"]
# ## 연습 문제 2: 소프트맥스
#
# `softmax(net)` 함수를 작성하라. `(n, K)` 텐서의 각 행을 확률로 바꾼다. net 입력이 ±1000이어도 결과가
# 유한해야 한다(힌트: 한 행에서 상수 c를 빼도 분자와 분모에 함께 곱해지는 $e^{-c}$ 인수가 약분되므로
# 결과는 그대로다).


# %% tags=["exercise"]
def softmax(net):
    """Each row of net (n, K): exp, then normalise so that the row sums to 1."""
    # BEGIN SOLUTION
    e = torch.exp(net - net.max(dim=1, keepdim=True).values)
    return e / e.sum(dim=1, keepdim=True)
    # END SOLUTION


# %% tags=["check"]
check_exercise("softmax", softmax)

# %% [markdown] tags=["en"]
# ## Exercise 3: cross-entropy on one-hot targets
#
# Write `cross_entropy(y, t)`: the mean over samples of $-\sum_k t_k\log y_k$, where `y` are
# probabilities and `t` one-hot rows, both `(n, K)`.


# %% [markdown] tags=["ko"]
# ## 연습 문제 3: 원-핫 타겟값에 대한 교차 엔트로피
#
# `cross_entropy(y, t)` 함수를 작성하라. $-\sum_k t_k\log y_k$를 샘플에 대해 평균한 값을 돌려주어야 한다.
# `y`는 확률, `t`는 원-핫 행이고, 둘 다 `(n, K)`이다.


# %% tags=["exercise"]
def cross_entropy(y, t):
    """The mean over samples of -sum_k t_k log y_k; y probabilities, t one-hot, both (n, K)."""
    # BEGIN SOLUTION
    return -(t * torch.log(y)).sum(dim=1).mean()
    # END SOLUTION


# %% tags=["check"]
check_exercise("cross_entropy", cross_entropy)

# %% [markdown] tags=["en"]
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

# %% [markdown] tags=["ko"]
# # 02 · 이진 분류: 시그모이드에는 MSE가 아니라 교차 엔트로피를
#
# **강의 2-4, p5–14.** 두 명목값(빨강, 검정)을 0과 1로 나타내고, 출력 유닛은 시그모이드
# $y = \sigma(\mathrm{net})$이다. 이때 에러함수(손실 함수)로 MSE를 쓰면 안 된다.
# $E = \tfrac12 (t - y)^2$이면 출력 유닛에서 그래디언트는
#
# $$\frac{\partial E}{\partial \mathrm{net}} = -(t - y)\,y(1 - y),$$
#
# 이다. 뉴럴넷이 완전히 반대로 알고 있을 때($t = 1$, $y \to 0$) 인수 $y(1-y)$ 때문에 이 그래디언트가
# 0으로 다가간다. 학습이 가장 필요한 바로 그곳에서 학습이 멈춘다(p10). 교차 엔트로피
# $E = -[t\log y + (1-t)\log(1-y)]$는 $\partial E/\partial\mathrm{net} = y - t$이고(p12), 이 값은
# 그곳에서 $-1$ 가까이에 머문다. 출력값을 확률로 읽으면, 교차 엔트로피는 뉴럴넷이 정답을 낼 확률에
# 로그를 취하고 음의 부호를 붙인 값이다(p13–14).

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

# [ko] nnref.testing.use_language("ko")  # 검사 도구의 보고서를 한국어로

torch.set_num_threads(1)

# %% [markdown] tags=["en"]
# ## The two gradients, against the output y (target t = 1)

# %% [markdown] tags=["ko"]
# ## 출력값 y에 따른 두 그래디언트(타겟값 t = 1)

# %%
curves = saturation.gradient_curves(99)
plt.semilogy(curves["y"], curves["abs_grad_mse"], label="sigmoid + MSE: |−(t − y)·y(1 − y)|")
plt.semilogy(curves["y"], curves["abs_grad_ce"], label="sigmoid + cross-entropy: |y − t|")
plt.xlabel("output y (the target is 1)")
plt.ylabel("|∂E/∂net|")
plt.legend()
plt.show()

# %% [markdown] tags=["en"]
# ## Training from a confidently wrong start
#
# The binary head on breast_cancer, from a start where every output says $y \approx 0.001$ (output
# weights 0, output bias −7). The same weights, the same full-batch GD, the same epochs; only the
# loss differs.

# %% [markdown] tags=["ko"]
# ## 완전히 반대로 알고 있는 상태에서 시작하는 학습
#
# breast_cancer 데이터의 이진 분류 헤드를, 모든 출력값이 $y \approx 0.001$인 상태(출력 가중치 0, 출력
# 편향 −7)에서 학습해 보자. 가중치도, 전체 배치 GD도, 에포크도 같고 에러함수만 다르다.

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

# %% [markdown] tags=["en"]
# ## Exercise 1: the gradient of sigmoid + ½·MSE
#
# Write `sigmoid_mse_grad(net, t)`: $\partial E/\partial \mathrm{net}$ of $E = \tfrac12(t - \sigma(\mathrm{net}))^2$,
# elementwise, for tensors `net` and `t` of the same shape. Use the formula, not autograd.


# %% [markdown] tags=["ko"]
# ## 연습 문제 1: 시그모이드 + ½·MSE의 그래디언트
#
# `sigmoid_mse_grad(net, t)` 함수를 작성하라. 모양이 같은 텐서 `net`과 `t`에 대해
# $E = \tfrac12(t - \sigma(\mathrm{net}))^2$의 $\partial E/\partial \mathrm{net}$을 원소별로 구한다.
# autograd를 쓰지 말고 공식으로 계산하라.


# %% tags=["exercise"]
def sigmoid_mse_grad(net, t):
    """dE/dnet of E = 1/2 (t - sigmoid(net))^2, elementwise."""
    # BEGIN SOLUTION
    y = torch.sigmoid(net)
    return -(t - y) * y * (1 - y)
    # END SOLUTION


# %% tags=["check"]
check_exercise("sigmoid_mse_grad", sigmoid_mse_grad)

# %% [markdown] tags=["en"]
# ## Exercise 2: binary cross-entropy
#
# Write `binary_cross_entropy(y, t)`: the mean over samples of $-[t\log y + (1-t)\log(1-y)]$, where
# `y` holds probabilities (sigmoid outputs) and `t` the 0/1 targets.


# %% [markdown] tags=["ko"]
# ## 연습 문제 2: 이진 교차 엔트로피
#
# `binary_cross_entropy(y, t)` 함수를 작성하라. $-[t\log y + (1-t)\log(1-y)]$를 샘플에 대해 평균한 값을
# 돌려주어야 한다. `y`는 확률(시그모이드의 출력값)이고 `t`는 0/1 타겟값이다.


# %% tags=["exercise"]
def binary_cross_entropy(y, t):
    """The mean over samples of -[t log y + (1 - t) log(1 - y)]; y are probabilities."""
    # BEGIN SOLUTION
    return -(t * torch.log(y) + (1 - t) * torch.log(1 - y)).mean()
    # END SOLUTION


# %% tags=["check"]
check_exercise("binary_cross_entropy", binary_cross_entropy)

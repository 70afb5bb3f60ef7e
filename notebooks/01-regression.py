# %% [markdown] tags=["en"]
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

# %% [markdown] tags=["ko"]
# # 01 · 회귀: 선형 출력, 그리고 히든 레이어가 선형이면 안 되는 까닭
#
# **강의 2-4, p3–4.** 시그모이드 출력은 (0, 1) 사이의 수를 내지만, 회귀의 타겟값은 어떤 실수든 될 수
# 있다. 강의가 내놓는 답은 출력 레이어에서 활성화함수를 빼는 것이다.
#
# $$y = \mathrm{net} = \mathbf{w}^\top \mathbf{h} + b,\qquad E = \tfrac{1}{N}\sum_n (t_n - y_n)^2 .$$
#
# 선형이 되는 것은 출력 레이어뿐이다. 선형 활성화함수(항등 함수)를 쓰는 히든 레이어는 아무것도 보태지
# 않는다. $W_2(W_1\mathbf{x} + \mathbf{b}_1) + \mathbf{b}_2 = (W_2W_1)\mathbf{x} + (W_2\mathbf{b}_1 + \mathbf{b}_2)$이므로
# 결국 선형 변환 하나일 뿐이다. 일은 비선형 히든 레이어가 하고, 출력 레이어는 값의 범위만 정한다.

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

# [ko] nnref.testing.use_language("ko")  # 검사 도구의 보고서를 한국어로

torch.set_num_threads(1)

# %% [markdown] tags=["en"]
# ## The regression head, linear and sigmoid
#
# nnref's regression head standardises the target for the identity output; its course variant,
# `output="sigmoid"`, must rescale the target into 0..1 first (lecture 2-4 p. 4, solution 1). Both
# train on the diabetes data with the same network and optimizer; R² is in the target's own units.

# %% [markdown] tags=["ko"]
# ## 회귀 헤드: 선형 출력과 시그모이드 출력
#
# nnref의 회귀 헤드는 선형 출력에 맞춰 타겟값을 표준화한다. 강의식 변형인 `output="sigmoid"`는 먼저
# 타겟값을 0..1 범위로 다시 맞춰야 한다(강의 2-4 p4, 해법 1). 두 헤드를 같은 뉴럴넷, 같은 옵티마이저로
# diabetes 데이터에서 학습해 보자. R²는 타겟값의 원래 단위로 계산한다.

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

# %% [markdown] tags=["en"]
# ## Identity hidden layers fold into one layer
#
# `nnref.experiments.collapse.fold` multiplies the layers out. On an identity-activation network
# the folded layer gives the same outputs, to float64 rounding:

# %% [markdown] tags=["ko"]
# ## 선형 히든 레이어는 레이어 하나로 접힌다
#
# `nnref.experiments.collapse.fold`는 레이어들을 곱해 하나로 합친다. 선형 활성화함수만 쓰는 뉴럴넷에서
# 접은 레이어가 float64의 반올림 오차 안에서 같은 출력값을 내는지 확인해 보자.

# %%
print(collapse.fold_check(hidden=(16, 16, 16)))

# %% [markdown] tags=["en"]
# ## Exercise: fold a stack of linear layers
#
# Write `fold_linear_layers(layers)`: given a list of `nn.Linear` layers applied one after the
# other (no activation between them), return **one** `nn.Linear` with the same outputs. Apply the
# two rules above layer by layer.


# %% [markdown] tags=["ko"]
# ## 연습 문제: 쌓인 선형 레이어 접기
#
# `fold_linear_layers(layers)` 함수를 작성하라. 사이에 활성화함수 없이 차례로 적용되는 `nn.Linear` 레이어의
# 리스트를 받아, 같은 출력값을 내는 `nn.Linear` **하나**를 돌려주어야 한다. 위의 두 규칙을 레이어마다
# 차례로 적용하라.


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

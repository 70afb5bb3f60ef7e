# %% [markdown] tags=["en"]
# # 07 · A learning rate per weight: AdaGrad, RMSProp and Adam
#
# **Lecture 3-1, p. 15.** After training, some weights have changed a lot and some hardly at all;
# the slopes along them differ, and one learning rate cannot suit all of them. The wish: a smaller
# step where the gradient is large, a larger one where it is small, and steps that shrink as
# learning goes on. AdaGrad divides by the root of the summed squared gradients, RMSProp by a
# running mean of them, and Adam adds momentum on top, with both averages bias-corrected:
#
# $$\text{AdaGrad: } s \leftarrow s + g^2,\ w \leftarrow w - \frac{\eta\, g}{\sqrt{s} + \epsilon}\qquad
# \text{RMSProp: } v \leftarrow \alpha v + (1-\alpha) g^2,\ w \leftarrow w - \frac{\eta\, g}{\sqrt{v} + \epsilon}$$
#
# $$\text{Adam: } m \leftarrow \beta_1 m + (1-\beta_1) g,\ v \leftarrow \beta_2 v + (1-\beta_2) g^2,\
# w \leftarrow w - \eta\,\frac{m/(1-\beta_1^t)}{\sqrt{v/(1-\beta_2^t)} + \epsilon}.$$

# %% [markdown] tags=["ko"]
# # 07 · 가중치마다 다른 학습률: AdaGrad, RMSProp, Adam
#
# **강의 3-1, p15.** 학습이 끝나고 보면 어떤 가중치는 많이 바뀌었고 어떤 가중치는 거의 그대로다.
# 가중치마다 곡면의 기울기가 달라서, 학습률 하나로는 모두에 맞출 수 없다. 바라는 것은 그래디언트가 큰
# 곳에서는 더 작은 스텝, 작은 곳에서는 더 큰 스텝, 그리고 학습이 진행될수록 작아지는 스텝이다.
# AdaGrad는 그래디언트 제곱을 모두 더한 값의 제곱근으로 나누고, RMSProp은 그 이동 평균의 제곱근으로
# 나눈다. Adam은 여기에 모멘텀을 더하고, 두 평균 모두 편향을 보정한다.
#
# $$\text{AdaGrad: } s \leftarrow s + g^2,\ w \leftarrow w - \frac{\eta\, g}{\sqrt{s} + \epsilon}\qquad
# \text{RMSProp: } v \leftarrow \alpha v + (1-\alpha) g^2,\ w \leftarrow w - \frac{\eta\, g}{\sqrt{v} + \epsilon}$$
#
# $$\text{Adam: } m \leftarrow \beta_1 m + (1-\beta_1) g,\ v \leftarrow \beta_2 v + (1-\beta_2) g^2,\
# w \leftarrow w - \eta\,\frac{m/(1-\beta_1^t)}{\sqrt{v/(1-\beta_2^t)} + \epsilon}.$$

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

from nnref.experiments import optimizer_paths
from nnref.testing import check_exercise

# [ko] nnref.testing.use_language("ko")  # 검사 도구의 보고서를 한국어로

torch.set_num_threads(1)

# %% [markdown] tags=["en"]
# ## One step size for every coordinate, or one each
#
# On the ravine $\tfrac12(x^2 + 100y^2)$ the two coordinates' slopes differ a hundredfold. GD's step
# follows the steep one; the adaptive optimizers scale each coordinate by its own gradient size.

# %% [markdown] tags=["ko"]
# ## 모든 좌표에 유효 학습률 하나, 또는 좌표마다 하나씩
#
# 골짜기 $\tfrac12(x^2 + 100y^2)$에서는 두 좌표 방향의 기울기가 100배 차이 난다. GD의 스텝은 가파른 쪽에
# 맞춰진다. 적응형 옵티마이저는 좌표마다 그 좌표의 그래디언트 크기에 맞춰 유효 학습률을 조절한다. 네
# 옵티마이저를 같은 학습률로 돌려 보자.

# %%
names = ("gd", "adagrad", "rmsprop", "adam")
r = optimizer_paths.run_surface("ravine", steps=300, optimizers=names, lr=0.05)
for name in names:
    path = torch.tensor(r[name]["path"])
    plt.plot(path[:, 0], path[:, 1], label=name, lw=1)
    print(
        f"{name:<8} final loss {r[name]['final_loss']:.3g}{'  (diverged)' if r[name]['diverged'] else ''}"
    )
plt.xlabel("x")
plt.ylabel("y")
plt.ylim(-1.5, 1.5)
plt.legend()
plt.show()

# %% [markdown] tags=["en"]
# ## Exercises: AdaGrad, RMSProp and Adam
#
# Write each as a `torch.optim.Optimizer` subclass, with its state in `self.state[p]` and its
# settings read from each param group. The check compares every step with `nnref.optim`'s own.


# %% [markdown] tags=["ko"]
# ## 연습 문제: AdaGrad, RMSProp, Adam
#
# 각각을 `torch.optim.Optimizer`의 서브클래스로 작성하라. 상태는 `self.state[p]`에 두고, 설정은 파라미터
# 그룹마다 그 그룹에서 읽어라. 검사는 스텝마다 `nnref.optim`의 구현과 비교한다.


# %% tags=["exercise"]
class AdaGrad(torch.optim.Optimizer):
    """s <- s + g^2;  w <- w - lr * g / (sqrt(s) + eps)  (s starts at 0)."""

    def __init__(self, params, lr=0.01, eps=1e-10):
        # BEGIN SOLUTION
        super().__init__(params, dict(lr=lr, eps=eps))
        # END SOLUTION

    @torch.no_grad()
    def step(self, closure=None):
        # BEGIN SOLUTION
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                s = state.get("s", torch.zeros_like(p))
                s += p.grad * p.grad
                state["s"] = s
                p.sub_(group["lr"] * p.grad / (s.sqrt() + group["eps"]))
        return loss
        # END SOLUTION


# %% tags=["check"]
check_exercise("AdaGrad", AdaGrad)


# %% tags=["exercise"]
class RMSProp(torch.optim.Optimizer):
    """v <- alpha * v + (1 - alpha) * g^2;  w <- w - lr * g / (sqrt(v) + eps)  (v starts at 0)."""

    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8):
        # BEGIN SOLUTION
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps))
        # END SOLUTION

    @torch.no_grad()
    def step(self, closure=None):
        # BEGIN SOLUTION
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                v = (
                    group["alpha"] * state.get("v", torch.zeros_like(p))
                    + (1 - group["alpha"]) * p.grad**2
                )
                state["v"] = v
                p.sub_(group["lr"] * p.grad / (v.sqrt() + group["eps"]))
        return loss
        # END SOLUTION


# %% tags=["check"]
check_exercise("RMSProp", RMSProp)


# %% tags=["exercise"]
class Adam(torch.optim.Optimizer):
    """m, v: averages of g and g^2, bias-corrected by 1 - beta^t;  w <- w - lr * m^ / (sqrt(v^) + eps)."""

    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
        # BEGIN SOLUTION
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps))
        # END SOLUTION

    @torch.no_grad()
    def step(self, closure=None):
        # BEGIN SOLUTION
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                t = state["t"] = state.get("t", 0) + 1
                m = state["m"] = beta1 * state.get("m", torch.zeros_like(p)) + (1 - beta1) * p.grad
                v = state["v"] = (
                    beta2 * state.get("v", torch.zeros_like(p)) + (1 - beta2) * p.grad**2
                )
                m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
                p.sub_(group["lr"] * m_hat / (v_hat.sqrt() + group["eps"]))
        return loss
        # END SOLUTION


# %% tags=["check"]
check_exercise("Adam", Adam)

# %% [markdown] tags=["en"]
# # 06 · Momentum and Nesterov's accelerated gradient
#
# **Lecture 3-1, p. 15–23.** Plain gradient descent stops where the slope is flat, like a small car
# stuck in gum, and cannot leave a local minimum (p. 16). Momentum keeps moving the way it went
# (p. 17–19):
#
# $$\mathbf{m} \leftarrow \gamma\,\mathbf{m} + \eta\,\nabla E(\mathbf{w}),\qquad \mathbf{w} \leftarrow \mathbf{w} - \mathbf{m}.$$
#
# $\mathbf{m}$ is an exponential average of past gradients, so its steps are more even (p. 20),
# but it can overshoot (p. 21). NAG first jumps by $\gamma\mathbf{m}$ and takes the gradient there
# (p. 22–23):
#
# $$\mathbf{m} \leftarrow \gamma\,\mathbf{m} + \eta\,\nabla E(\mathbf{w} - \gamma\mathbf{m}),\qquad \mathbf{w} \leftarrow \mathbf{w} - \mathbf{m}.$$

# %% [markdown] tags=["ko"]
# # 06 · 모멘텀과 네스테로프 가속 그래디언트(NAG)
#
# **강의 3-1, p15–23.** 단순한 경사 하강법은 껌을 밟은 작은 자동차처럼 곡면이 평평한 곳에서 멈추고,
# 지역 최솟값을 벗어나지 못한다(p16). 모멘텀은 움직이던 방향으로 계속 나아간다(p17–19).
#
# $$\mathbf{m} \leftarrow \gamma\,\mathbf{m} + \eta\,\nabla E(\mathbf{w}),\qquad \mathbf{w} \leftarrow \mathbf{w} - \mathbf{m}.$$
#
# $\mathbf{m}$은 지난 그래디언트들의 지수 평균이므로 스텝이 더 고르다(p20). 하지만 목표를 지나칠 수
# 있다(p21). NAG는 먼저 $\gamma\mathbf{m}$만큼 뛰고, 그 자리에서 그래디언트를 구한다(p22–23).
#
# $$\mathbf{m} \leftarrow \gamma\,\mathbf{m} + \eta\,\nabla E(\mathbf{w} - \gamma\mathbf{m}),\qquad \mathbf{w} \leftarrow \mathbf{w} - \mathbf{m}.$$

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
# ## Escaping a local minimum
#
# nnref's GD, Momentum and NAG on a tilted double well, from the same start with the same lr.

# %% [markdown] tags=["ko"]
# ## 지역 최솟값 벗어나기
#
# 기울어진 이중 우물 위에서 nnref의 GD, Momentum, NAG를 같은 시작점, 같은 학습률로 돌려 보자.

# %%
r = optimizer_paths.run_surface("local_minimum", optimizers=("gd", "momentum", "nag"))
for name in ("gd", "momentum", "nag"):
    xs = [p[0] for p in r[name]["path"]]
    plt.plot(xs, label=f"{name}: {'escaped' if r[name]['escaped'] else 'stuck'}")
    print(f"{name:<9} final x {r[name]['final_point'][0]:+.3f}, escaped: {r[name]['escaped']}")
plt.axhline(r["settings"]["wells"]["barrier_x"], color="grey", ls=":", label="the barrier")
plt.xlabel("step (thinned)")
plt.ylabel("x")
plt.legend()
plt.show()

# %% [markdown] tags=["en"]
# ## Exercise 1: Momentum as a `torch.optim.Optimizer`
#
# Write `Momentum(params, lr, momentum)` in the course's form. Keep $\mathbf{m}$ in
# `self.state[p]` (so that `state_dict()` and copies keep it), read `lr` and `momentum` from each
# param group, skip parameters without a gradient, and return the closure's loss from `step`.


# %% [markdown] tags=["ko"]
# ## 연습 문제 1: `torch.optim.Optimizer`로 짜는 Momentum
#
# 강의의 꼴대로 `Momentum(params, lr, momentum)` 클래스를 작성하라. $\mathbf{m}$은 `self.state[p]`에 두어라(그래야
# `state_dict()`와 복사본에도 남는다). `lr`과 `momentum`은 파라미터 그룹마다 그 그룹에서 읽고, 그래디언트가
# 없는 파라미터는 건너뛰고, `step`은 클로저가 돌려준 손실을 돌려주어야 한다.


# %% tags=["exercise"]
class Momentum(torch.optim.Optimizer):
    """m <- momentum * m + lr * grad;  w <- w - m  (m starts at 0)."""

    def __init__(self, params, lr, momentum=0.9):
        # BEGIN SOLUTION
        super().__init__(params, dict(lr=lr, momentum=momentum))
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
                m = state.get("m")
                m = torch.zeros_like(p) if m is None else m
                state["m"] = m = group["momentum"] * m + group["lr"] * p.grad
                p.sub_(m)
        return loss
        # END SOLUTION


# %% tags=["check"]
check_exercise("Momentum", Momentum)

# %% [markdown] tags=["en"]
# ## Exercise 2: NAG, with its look-ahead
#
# Write `NAG(params, lr, momentum)`. Its gradient must be taken at $\mathbf{w} - \gamma\mathbf{m}$:
# in `step(closure)`, move each parameter there, call the closure (it computes the loss and its
# gradient at the point the parameters hold), then update $\mathbf{m}$ and put $\mathbf{w}$ where
# it belongs.


# %% [markdown] tags=["ko"]
# ## 연습 문제 2: 내다본 지점에서 그래디언트를 구하는 NAG
#
# `NAG(params, lr, momentum)` 클래스를 작성하라. 그래디언트는 $\mathbf{w} - \gamma\mathbf{m}$에서 구해야 한다.
# `step(closure)`에서 각 파라미터를 그 지점으로 옮기고 클로저를 부른 다음(클로저는 파라미터가 지금 있는
# 지점에서 손실과 그 그래디언트를 계산한다), $\mathbf{m}$을 업데이트하고 $\mathbf{w}$를 있어야 할 자리로 옮겨라.


# %% tags=["exercise"]
class NAG(torch.optim.Optimizer):
    """m <- momentum * m + lr * grad E(w - momentum * m);  w <- w - m  (needs step(closure))."""

    def __init__(self, params, lr, momentum=0.9):
        # BEGIN SOLUTION
        super().__init__(params, dict(lr=lr, momentum=momentum))
        # END SOLUTION

    @torch.no_grad()
    def step(self, closure):
        # BEGIN SOLUTION
        for group in self.param_groups:
            for p in group["params"]:
                m = self.state[p].get("m")
                if m is not None:
                    p.sub_(group["momentum"] * m)  # to the look-ahead point
        with torch.enable_grad():
            loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                m = state.get("m")
                if m is not None:
                    p.add_(group["momentum"] * m)  # back to w
                if p.grad is None:
                    continue
                m = torch.zeros_like(p) if m is None else m
                state["m"] = m = group["momentum"] * m + group["lr"] * p.grad
                p.sub_(m)
        return loss
        # END SOLUTION


# %% tags=["check"]
check_exercise("NAG", NAG)

# %% [markdown]
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

torch.set_num_threads(1)

# %% [markdown]
# ## Escaping a local minimum
#
# nnref's GD, Momentum and NAG on a tilted double well, from the same start with the same lr.

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

# %% [markdown]
# ## Exercise 1: Momentum as a `torch.optim.Optimizer`
#
# Write `Momentum(params, lr, momentum)` in the course's form. Keep $\mathbf{m}$ in
# `self.state[p]` (so that `state_dict()` and copies keep it), read `lr` and `momentum` from each
# param group, skip parameters without a gradient, and return the closure's loss from `step`.


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

# %% [markdown]
# ## Exercise 2: NAG, with its look-ahead
#
# Write `NAG(params, lr, momentum)`. Its gradient must be taken at $\mathbf{w} - \gamma\mathbf{m}$:
# in `step(closure)`, move each parameter there, call the closure (it computes the loss and its
# gradient at the point the parameters hold), then update $\mathbf{m}$ and put $\mathbf{w}$ where
# it belongs.


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

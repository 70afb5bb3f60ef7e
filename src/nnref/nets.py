"""The MLP body shared by every task head: Linear -> activation, repeated, then a Linear output
layer.

The output layer gives logits (net inputs of the output units); each task head applies its own
output activation, so losses can use torch's fused, numerically stable forms.

With `seed`, the weights are drawn from a torch.Generator of that seed (torch's default
initialisation, from that generator instead of the global one): the same sizes and seed give the
same network in every loop and every thread, whatever else has drawn random numbers.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .errors import InvalidSetting
from .locale.messages import _

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "identity": nn.Identity}
NET_WRONG = -7.0  # sigma(-7) ~ 0.0009: "certain" of class 0 when the target is 1


def check_body(hidden, activation) -> list[int]:
    """The hidden sizes as a list of positive integers; an InvalidSetting (a ValueError) names the
    key and what is valid (its text as nnref-train shows it: model.KEY)."""
    if activation not in ACTIVATIONS:
        valid = ", ".join(ACTIVATIONS)
        raise InvalidSetting(
            "activation",
            activation,
            _("not one of {valid}", valid=valid),
            _(
                "{key}={value}: unknown; valid: {valid}",
                key="model.activation",
                value=activation,
                valid=valid,
            ),
        )
    try:
        sizes = [int(h) for h in hidden]
    except (TypeError, ValueError):
        sizes = None
    if sizes is None or any(h <= 0 for h in sizes):
        raise InvalidSetting(
            "hidden",
            hidden,
            _("hidden layer sizes are whole numbers ≥ 1, e.g. 16, 8 (none for no hidden layer)"),
            _(
                "model.hidden: must be a list of positive integers, e.g. model.hidden=[64,32] "
                "(or [] for no hidden layer)"
            ),
        )
    return sizes


def seeded_linear(n_in: int, n_out: int, generator: torch.Generator) -> nn.Linear:
    """nn.Linear with torch's default initialisation (nn.Linear.reset_parameters), drawn from
    generator."""
    layer = nn.utils.skip_init(nn.Linear, n_in, n_out)
    nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=generator)
    bound = 1 / math.sqrt(n_in) if n_in > 0 else 0
    nn.init.uniform_(layer.bias, -bound, bound, generator=generator)
    return layer


class MLP(nn.Sequential):
    def __init__(
        self,
        n_inputs: int,
        hidden=(64,),
        n_outputs: int = 1,
        activation: str = "relu",
        seed: int | None = None,
    ):
        hidden = check_body(hidden, activation)
        for key, value in (("n_inputs", n_inputs), ("n_outputs", n_outputs)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"MLP {key}={value!r}: must be a positive integer")
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or seed < 0):
            raise ValueError(f"seed={seed!r}: must be an integer >= 0")
        generator = torch.Generator().manual_seed(seed) if seed is not None else None

        def linear(n_in, n_out):
            return (
                nn.Linear(n_in, n_out)
                if generator is None
                else seeded_linear(n_in, n_out, generator)
            )

        layers, width = [], n_inputs
        for h in hidden:
            layers += [linear(width, h), ACTIVATIONS[activation]()]
            width = h
        layers.append(linear(width, n_outputs))
        super().__init__(*layers)
        # The sizes it was built with, so a head can record them and rebuild it from a checkpoint.
        self.n_inputs, self.n_outputs, self.hidden, self.activation = (
            n_inputs,
            n_outputs,
            hidden,
            activation,
        )

    @property
    def output_layer(self) -> nn.Linear:
        return self[-1]


@torch.no_grad()
def saturate(net: MLP, net0: float = NET_WRONG, keep_first: bool = False) -> None:
    """The confidently wrong start (lecture 2-4): output weights 0 and output bias net0, so every
    sigmoid output says y = sigma(net0) ~ 0.001 for every input. keep_first leaves the first unit's
    bias at 0 (a softmax then starts every other class near y = 0)."""
    out = net.output_layer
    out.weight.zero_()
    out.bias.fill_(net0)
    if keep_first:
        out.bias[0] = 0.0

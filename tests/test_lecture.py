"""The lecture's formulas, each asserted against autograd or exact arithmetic in float64, on the
project's own heads (nnref.heads) and encoders."""

import functools
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnref.data import TaskData
from nnref.data.encoding import TargetScaler
from nnref.experiments import softmax
from nnref.heads import BinaryHead, MulticlassHead, MultilabelHead, RegressionHead

D = torch.float64


def logits_grad(sample_losses, z: torch.Tensor) -> torch.Tensor:
    """d(sum of per-sample losses)/dz: per sample, the gradient of its own loss (samples are
    independent)."""
    z = z.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(sample_losses(z).sum(), z)
    return g


# ---------------------------------------------------------------- softmax
def test_softmax_is_exp_then_normalise_and_equals_torch():
    torch.manual_seed(0)
    z = torch.randn(5, 4, dtype=D) * 3
    by_hand = torch.exp(z) / torch.exp(z).sum(dim=1, keepdim=True)
    for stable in (False, True):
        p = softmax(z, dim=1, stable=stable)
        torch.testing.assert_close(p, by_hand, rtol=1e-14, atol=0)
        torch.testing.assert_close(p, torch.softmax(z, dim=1), rtol=1e-14, atol=1e-16)
        torch.testing.assert_close(p.sum(dim=1), torch.ones(5, dtype=D), rtol=0, atol=1e-15)


def test_softmax_subtracting_the_max_keeps_huge_logits_finite():
    z = torch.tensor([[1000.0, 999.0, -1000.0], [-1000.0, -1000.0, -999.0]], dtype=D)
    naive = softmax(z, dim=1, stable=False)
    assert not torch.isfinite(naive).all()  # exp(1000) overflows, exp(-1000) underflows to 0/0
    p = softmax(z, dim=1)
    assert torch.isfinite(p).all()
    torch.testing.assert_close(p, torch.softmax(z, dim=1), rtol=1e-14, atol=1e-300)
    # Shifting every logit by a constant changes nothing: exp(z - c) = exp(z) exp(-c), and exp(-c)
    # cancels.
    e = math.exp(-1.0)
    torch.testing.assert_close(
        p[0, :2], torch.tensor([1 / (1 + e), e / (1 + e)], dtype=D), rtol=1e-14, atol=0
    )


def test_multiclass_predict_is_the_softmax():
    head = MulticlassHead(3)
    z = torch.tensor([[1000.0, 0.0, -1000.0], [0.5, -0.25, 2.0]], dtype=D)
    torch.testing.assert_close(head.predict(z), softmax(z), rtol=1e-14, atol=1e-300)


# ---------------------------------------------------------------- binary = two-class softmax
def test_binary_bce_equals_two_class_cross_entropy():
    z = torch.tensor([-30.0, -3.0, -0.5, 0.0, 0.7, 4.0, 25.0], dtype=D)
    t = torch.tensor([1, 0, 1, 0, 1, 1, 0])
    bce = BinaryHead(1).loss(z[:, None], t[:, None].to(D), reduction="none")
    ce = functools.partial(MulticlassHead(2).loss, reduction="none")
    # sigma(z) = e^z / (e^z + e^0): with logits (0, z), class 1 is the binary target's 1 ...
    torch.testing.assert_close(
        bce, ce(torch.stack([torch.zeros_like(z), z], 1), t), rtol=1e-13, atol=1e-15
    )
    # ... and with logits (z, 0), sigma(z) belongs to class 0, so the labels swap.
    torch.testing.assert_close(
        bce, ce(torch.stack([z, torch.zeros_like(z)], 1), 1 - t), rtol=1e-13, atol=1e-15
    )
    # The probabilities agree too: sigma(z) is the softmax of (0, z) at class 1.
    two = softmax(torch.stack([torch.zeros_like(z), z], 1))
    torch.testing.assert_close(
        BinaryHead(1).predict(z[:, None]), two[:, 1], rtol=1e-13, atol=1e-300
    )


# ---------------------------------------------------------------- cross-entropy = -log likelihood
def test_cross_entropy_is_minus_mean_log_of_the_product_of_right_answer_probabilities():
    torch.manual_seed(1)
    z = torch.randn(6, 4, dtype=D) * 2
    t = torch.tensor([0, 3, 1, 1, 2, 0])
    head = MulticlassHead(4)
    p_right = softmax(z)[torch.arange(6), t]
    likelihood = torch.prod(p_right)  # 6 probabilities: no underflow in float64
    torch.testing.assert_close(head.loss(z, t), -torch.log(likelihood) / 6, rtol=1e-13, atol=0)


# ---------------------------------------------------------------- multi-label
def test_multilabel_loss_is_the_sum_of_per_label_bces_and_outputs_need_not_sum_to_one():
    torch.manual_seed(2)
    z = torch.randn(5, 3, dtype=D) * 2
    t = torch.tensor([[1, 0, 1], [0, 0, 0], [1, 1, 1], [0, 1, 0], [1, 0, 0]], dtype=D)
    head = MultilabelHead(3)
    y = torch.sigmoid(z)
    # Each a mean over samples.
    per_label = [F.binary_cross_entropy(y[:, k], t[:, k]) for k in range(3)]
    torch.testing.assert_close(head.loss(z, t), sum(per_label), rtol=1e-13, atol=0)
    by_hand = -(t * torch.log(y) + (1 - t) * torch.log(1 - y)).sum(dim=1).mean()
    torch.testing.assert_close(head.loss(z, t), by_hand, rtol=1e-13, atol=0)
    p = head.predict(torch.tensor([[5.0, 5.0, 5.0], [-5.0, -5.0, -5.0]], dtype=D))
    sums = p.sum(dim=1)
    assert sums[0] > 2.9 and sums[1] < 0.03  # independent sigmoids: ~3 and ~0, nowhere near 1


# ---------------------------------------------------------------- gradients at the output
def test_gradient_of_bce_wrt_the_logit_is_sigmoid_minus_target():
    z = torch.tensor([[-7.0], [-1.0], [0.0], [2.5], [9.0]], dtype=D)
    t = torch.tensor([[1.0], [0.0], [1.0], [1.0], [0.0]], dtype=D)
    g = logits_grad(lambda v: BinaryHead(1).loss(v, t, reduction="none"), z)
    torch.testing.assert_close(g, torch.sigmoid(z) - t, rtol=1e-13, atol=1e-16)


def test_gradient_of_cross_entropy_wrt_the_logits_is_softmax_minus_one_hot():
    torch.manual_seed(3)
    z = torch.randn(4, 5, dtype=D) * 3
    t = torch.tensor([4, 0, 2, 2])
    g = logits_grad(lambda v: MulticlassHead(5).loss(v, t, reduction="none"), z)
    torch.testing.assert_close(g, softmax(z) - F.one_hot(t, 5).to(D), rtol=1e-13, atol=1e-16)


def test_gradient_of_sigmoid_plus_half_squared_error_and_the_projects_mse_is_twice_it():
    z = torch.tensor([[-7.0], [-1.0], [0.0], [2.5], [9.0]], dtype=D)
    t = torch.tensor([[1.0], [0.0], [1.0], [1.0], [0.0]], dtype=D)
    y = torch.sigmoid(z)
    course = -(t - y) * y * (1 - y)
    half = logits_grad(lambda v: 0.5 * (t - torch.sigmoid(v)) ** 2, z)
    torch.testing.assert_close(half, course, rtol=1e-13, atol=1e-18)
    # BinaryHead(loss="mse") is torch's MSELoss, (t - y)^2 without the 1/2: twice the course's
    # gradient.
    project = logits_grad(lambda v: BinaryHead(1, loss="mse").loss(v, t, reduction="none"), z)
    torch.testing.assert_close(project, 2 * course, rtol=1e-13, atol=1e-18)
    # T = 1, net = -7: confidently wrong, and the gradient has died.
    assert abs(float(course[0])) < 1e-3


# ---------------------------------------------------------------- regression with a sigmoid output
def test_sigmoid_regression_maps_predictions_back_to_original_units_exactly():
    y = np.array([25.0, 310.0, 140.5, 77.0, 346.0, 52.0])
    scaler = TargetScaler.fit(y, "minmax")
    head = RegressionHead(1, output="sigmoid", encoders={"target": scaler.to_dict()})
    scaled = torch.from_numpy((y - y.min()) / (y.max() - y.min()))[:, None]
    inner = scaled.clamp(1e-12, 1 - 1e-12)  # the two ends need logits of +-inf; stay a hair inside
    pred = head.predict(torch.logit(inner))
    torch.testing.assert_close(pred, torch.from_numpy(y)[:, None], rtol=1e-9, atol=1e-8)
    # decode is the exact affine inverse of encode: z * (max - min) + min
    torch.testing.assert_close(
        scaler.decode(scaled), torch.from_numpy(y)[:, None], rtol=1e-15, atol=1e-13
    )


def test_sigmoid_regression_data_is_scaled_to_0_1_on_train_and_decodes_to_the_source():
    dm = TaskData(source="diabetes", target_encoding="minmax", seed=0).load()
    assert float(dm.y_train.min()) == 0.0 and float(dm.y_train.max()) == 1.0
    head = RegressionHead(1, output="sigmoid", encoders=dm.encoders)
    raw = np.asarray(dm.source.target, dtype=np.float64)[dm.split_index["test"]]
    back = head.to_original_units(dm.y_test.double()).squeeze(1).numpy()
    np.testing.assert_allclose(back, raw, rtol=1e-6)  # y_test is stored as float32
    with pytest.raises(ValueError, match="task.output"):
        RegressionHead(1, output="tanh")

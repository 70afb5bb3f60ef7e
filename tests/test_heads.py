"""nnref.heads: each head's loss is the torch loss it names; wrong combinations are refused; metrics
keep a fixed-size state; and the core stands without Lightning."""

import subprocess
import sys

import pytest
import torch
from torch import nn

from nnref.data.encoding import OrdinalEncoder, TargetScaler
from nnref.heads import HEADS, BinaryHead, MulticlassHead, MultilabelHead, RegressionHead

LOGITS = torch.tensor([[2.0, -1.0, 0.5], [-3.0, 0.2, 1.0], [0.0, 0.0, 0.0], [7.0, -7.0, 1.5]])


def make(cls, n_out, **kw):
    return cls(n_out, **kw)


def test_binary_loss_is_bce_with_logits():
    m = make(BinaryHead, 1)
    z, t = LOGITS[:, :1], torch.tensor([[1.0], [0.0], [1.0], [0.0]])
    torch.testing.assert_close(m.loss(z, t), nn.BCEWithLogitsLoss()(z, t))
    torch.testing.assert_close(m.predict(z), torch.sigmoid(z).squeeze(1))


def test_binary_mse_variant_is_sigmoid_then_mse():
    m = make(BinaryHead, 1, loss="mse")
    z, t = LOGITS[:, :1], torch.tensor([[1.0], [0.0], [1.0], [0.0]])
    torch.testing.assert_close(m.loss(z, t), nn.MSELoss()(torch.sigmoid(z), t))


def test_multiclass_loss_is_cross_entropy_on_one_hot():
    m = make(MulticlassHead, 3)
    y = torch.tensor([0, 2, 1, 1])
    one_hot = nn.functional.one_hot(y, 3).float()
    torch.testing.assert_close(m.loss(LOGITS, y), nn.CrossEntropyLoss()(LOGITS, y))
    torch.testing.assert_close(m.loss(LOGITS, y), nn.CrossEntropyLoss()(LOGITS, one_hot))
    torch.testing.assert_close(m.predict(LOGITS).sum(1), torch.ones(4))


def test_multiclass_mse_and_ordinal_variants():
    y = torch.tensor([0, 2, 1, 1])
    m = make(MulticlassHead, 3, loss="mse")
    torch.testing.assert_close(
        m.loss(LOGITS, y),
        nn.MSELoss()(torch.softmax(LOGITS, 1), nn.functional.one_hot(y, 3).float()),
    )
    enc = OrdinalEncoder(["red", "yellow", "blue"])
    o = make(MulticlassHead, 1, loss="mse", encoding="ordinal", encoders={"target": enc.to_dict()})
    z = LOGITS[:, :1]
    codes = torch.tensor([1.0, 0.5, 0.0])[y]
    torch.testing.assert_close(o.loss(z, y), nn.MSELoss()(torch.sigmoid(z).squeeze(1), codes))
    assert o.predict(z).shape == (4, 3)


def test_multilabel_loss_is_sum_of_binary_cross_entropies():
    m = make(MultilabelHead, 3)
    t = torch.tensor([[1.0, 0, 1], [0, 0, 0], [1, 1, 1], [0, 1, 0]])
    per_label = sum(nn.BCEWithLogitsLoss()(LOGITS[:, j], t[:, j]) for j in range(3))
    torch.testing.assert_close(m.loss(LOGITS, t), per_label)


def test_regression_loss_is_mse_and_sigmoid_variant_reports_original_units():
    m = make(RegressionHead, 1)
    z, t = LOGITS[:, :1], torch.tensor([[1.0], [0.5], [-1.0], [2.0]])
    torch.testing.assert_close(m.loss(z, t), nn.MSELoss()(z, t))
    scaler = TargetScaler.fit([25.0, 346.0], "minmax")
    s = make(RegressionHead, 1, output="sigmoid", encoders={"target": scaler.to_dict()})
    torch.testing.assert_close(s.loss(z, t), nn.MSELoss()(torch.sigmoid(z), t))
    torch.testing.assert_close(s.predict(z), 25.0 + 321.0 * torch.sigmoid(z))


@pytest.mark.parametrize(
    "cls,kw,match",
    [
        (RegressionHead, {"loss": "ce"}, "valid: mse"),
        (MultilabelHead, {"loss": "mse"}, "valid: ce"),
        (MulticlassHead, {"encoding": "ordinal", "loss": "ce"}, "ordinal needs task.loss=mse"),
        (MulticlassHead, {"encoding": "binaryish"}, "valid: onehot, ordinal"),
        (RegressionHead, {"output": "softmax"}, "valid: identity, sigmoid"),
    ],
)
def test_senseless_combinations_are_refused_with_the_valid_choices(cls, kw, match):
    with pytest.raises(ValueError, match=match):
        make(cls, 1, **kw)


LOSS_CASES = [
    (BinaryHead, 1, {}, torch.tensor([[1.0], [0.0], [1.0], [0.0]])),
    (BinaryHead, 1, {"loss": "mse"}, torch.tensor([[1.0], [0.0], [1.0], [0.0]])),
    (MulticlassHead, 3, {}, torch.tensor([0, 2, 1, 0])),
    (MulticlassHead, 3, {"loss": "mse"}, torch.tensor([0, 2, 1, 0])),
    (MultilabelHead, 3, {}, torch.tensor([[1.0, 0, 1], [0, 0, 0], [1, 1, 1], [0, 1, 0]])),
    (RegressionHead, 3, {}, torch.tensor([[0.5, -1, 2], [0, 0, 0], [1, 1, 1], [3, -2, 0]])),
]


@pytest.mark.parametrize("cls,n_out,kw,target", LOSS_CASES)
def test_each_loss_is_one_function_whose_reductions_agree(cls, n_out, kw, target):
    m = make(cls, n_out, **kw)
    z = LOGITS[:, :n_out]
    per_sample = m.loss(z, target, reduction="none")
    assert per_sample.shape == (4,)
    torch.testing.assert_close(m.loss(z, target), per_sample.mean())
    torch.testing.assert_close(m.loss(z, target, reduction="sum"), per_sample.sum())
    with pytest.raises(ValueError, match="max"):  # torch's message, or the head's own
        m.loss(z, target, reduction="max")


def test_the_registry_names_each_head_and_what_it_asks_of_the_data():
    from nnref.data.encoding import fit_target_encoder

    assert list(HEADS) == ["regression", "binary", "multiclass", "multilabel"]
    assert HEADS["binary"].target_encoding() == "binary"
    assert HEADS["multiclass"].target_encoding(encoding="ordinal") == "ordinal"
    assert HEADS["regression"].target_encoding(output="sigmoid") == "minmax"
    assert (
        HEADS["multilabel"].output_size(fit_target_encoder("multihot", [("a",), ("b", "c")])) == 3
    )
    assert HEADS["multiclass"].output_size(fit_target_encoder("ordinal", ["x", "y", "z"])) == 1
    assert HEADS["binary"].fits("classes", 2) and not HEADS["binary"].fits("classes", 10)
    assert HEADS["multiclass"].fits("classes", 10) and not HEADS["multiclass"].fits("labels", None)
    assert {h.main_metric for h in HEADS.values()} == {"test/r2", "test/acc", "test/f1_macro"}


def test_an_unknown_option_is_refused_naming_the_heads_options():
    with pytest.raises(
        ValueError, match="task.encoding is not an option of task=binary; its options: none"
    ):
        make(BinaryHead, 1, encoding="onehot")


@pytest.mark.parametrize("cls,n_out,kw,target", LOSS_CASES)
def test_each_head_computes_exactly_the_metrics_it_declares(cls, n_out, kw, target):
    m = make(cls, n_out, **kw)
    metrics = m.compute_metrics(LOGITS[:, :n_out], target)
    assert set(metrics) == set(m.metrics()) and all(
        torch.isfinite(torch.as_tensor(v)) for v in metrics.values()
    )
    assert cls.main_metric.split("/", 1)[1] in {"loss", *m.metrics()}


@pytest.mark.parametrize("cls,n_out,kw,target", LOSS_CASES)
def test_no_metric_keeps_its_rows_the_state_after_1000_batches_is_the_size_after_10(
    cls, n_out, kw, target
):
    m = make(cls, n_out, **kw)
    collection = m.metric_collection()

    def state_bytes():
        return sum(
            t.numel() * t.element_size() for t in collection.state_dict(keep_vars=True).values()
        ) + sum(
            v.numel() * v.element_size()
            for metric in collection.values()
            for v in metric.metric_state.values()
            if torch.is_tensor(v)
        )

    sizes = {}
    for batch in range(1, 1001):
        collection.update(*m.metric_inputs(LOGITS[:, :n_out] + 0.01 * batch, target))
        if batch in (10, 1000):
            sizes[batch] = state_bytes()
    assert sizes[1000] == sizes[10] > 0
    assert all(
        not isinstance(v, list)
        for metric in collection.values()
        for v in metric.metric_state.values()
    )


def test_the_histogram_auroc_equals_torchmetrics_exact_one_to_the_bins_width():
    from torchmetrics.functional.classification import binary_auroc

    from nnref.heads.binary import HistogramAUROC

    g = torch.Generator().manual_seed(0)
    p = torch.rand(500, generator=g)
    t = (torch.rand(500, generator=g) < p).long()
    metric = HistogramAUROC()
    for part in range(5):  # batch by batch, as an epoch adds them up
        metric.update(p[part * 100 : (part + 1) * 100], t[part * 100 : (part + 1) * 100])
    assert abs(float(metric.compute()) - float(binary_auroc(p, t))) < 1e-3


@pytest.mark.slow
def test_the_course_core_imports_no_lightning_hydra_or_gradio():
    code = (
        "import sys, nnref.heads, nnref.optim, nnref.data, nnref.nets, nnref.loop, nnref.testing\n"
        "bad = [m for m in sys.modules if m in "
        "('lightning', 'pytorch_lightning', 'hydra', 'gradio')\n"
        "       or m.startswith(('lightning.', 'pytorch_lightning.', 'hydra.', 'gradio.'))]\n"
        "assert not bad, bad"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_mean_loss_is_the_mean_over_rows_and_a_nan_stays_nan():
    from nnref.heads import MeanLoss

    mean = MeanLoss()
    mean.update(torch.tensor(1.0), 8)
    mean.update(torch.tensor(3.0), 2)  # a short last batch weighs what its rows weigh
    assert float(mean.compute()) == pytest.approx(1.4)
    mean.update(torch.tensor(float("nan")), 2)
    assert torch.isnan(mean.compute())


def test_the_confusion_matrix_counts_as_sklearn_does():
    from sklearn.metrics import confusion_matrix, multilabel_confusion_matrix

    g = torch.Generator().manual_seed(0)
    logits = torch.randn(200, 3, generator=g)
    y = torch.randint(0, 3, (200,), generator=g)
    got = MulticlassHead(3).confusion_matrix(logits, y)
    assert got.tolist() == confusion_matrix(y, logits.argmax(1), labels=[0, 1, 2]).tolist()

    codes = {"target": OrdinalEncoder(["a", "b", "c"]).to_dict()}
    ordinal = MulticlassHead(1, loss="mse", encoding="ordinal", encoders=codes)
    codes = torch.rand(200, 1, generator=g)
    predicted = ordinal.metric_inputs(codes, y)[0]
    got = ordinal.confusion_matrix(codes, y)
    assert got.tolist() == confusion_matrix(y, predicted, labels=[0, 1, 2]).tolist()

    z = torch.randn(200, 1, generator=g)
    t = torch.randint(0, 2, (200, 1), generator=g).float()
    got = BinaryHead(1).confusion_matrix(z, t)
    predicted = (z.squeeze(1) >= 0).long()
    assert got.tolist() == confusion_matrix(t.squeeze(1), predicted, labels=[0, 1]).tolist()

    z = torch.randn(200, 4, generator=g)
    t = torch.randint(0, 2, (200, 4), generator=g)
    got = MultilabelHead(4).confusion_matrix(z, t.float())
    assert got.tolist() == multilabel_confusion_matrix(t, (z >= 0).long()).tolist()

    assert RegressionHead(1).confusion_matrix(torch.zeros(3, 1), torch.zeros(3, 1)) is None

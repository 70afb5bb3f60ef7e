"""nnref.metrics equals torchmetrics.functional bit for bit (and scikit-learn to float precision)."""
import pytest
import torch
import torchmetrics.functional as tmf
from sklearn import metrics as skm

from nnref import metrics as M

SEEDS = range(6)


def same(ours, theirs):
    assert ours.dtype == theirs.dtype
    assert torch.equal(ours, theirs), (float(ours), float(theirs))


def gen(seed):
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n,k", [(1, 3), (7, 10), (270, 10), (1257, 10), (50, 2)])
def test_multiclass_accuracy_f1(seed, n, k):
    g = gen(seed)
    y = torch.randint(0, k, (n,), generator=g)
    # Mostly right, some wrong, and (for small n) classes that never occur or are never predicted.
    pred = torch.where(torch.rand(n, generator=g) < 0.7, y, torch.randint(0, k, (n,), generator=g))
    acc, f1 = M.multiclass_accuracy_f1(pred, y, k)
    same(acc, tmf.classification.multiclass_accuracy(pred, y, num_classes=k, average="micro"))
    same(f1, tmf.classification.multiclass_f1_score(pred, y, num_classes=k, average="macro"))
    assert float(acc) == pytest.approx(skm.accuracy_score(y, pred))
    assert float(f1) == pytest.approx(skm.f1_score(y, pred, average="macro", labels=sorted(set(y.tolist()) | set(pred.tolist()))))


def test_multiclass_f1_leaves_out_absent_classes():
    y, pred = torch.tensor([0, 0, 1]), torch.tensor([0, 1, 1])  # class 2 of 3: neither true nor predicted
    _, f1 = M.multiclass_accuracy_f1(pred, y, 3)
    assert float(f1) == pytest.approx((2 / 3 + 2 / 3) / 2)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [2, 9, 143, 1000])
def test_binary_accuracy_auroc(seed, n):
    g = gen(seed)
    t = torch.randint(0, 2, (n,), generator=g)
    p = torch.sigmoid(torch.randn(n, generator=g) + 1.5 * (t - 0.5))
    p[: n // 3] = torch.round(p[: n // 3] * 4) / 4  # ties, which the ROC curve must merge
    same(M.binary_accuracy(p, t), tmf.classification.binary_accuracy(p, t))
    if t.min() == t.max():
        return
    same(M.binary_auroc(p, t), tmf.classification.binary_auroc(p, t))
    assert float(M.binary_auroc(p, t)) == pytest.approx(skm.roc_auc_score(t, p), abs=1e-6)


def test_binary_auroc_of_one_class_is_zero():
    p = torch.tensor([0.2, 0.7, 0.9])
    assert float(M.binary_auroc(p, torch.ones(3, dtype=torch.long))) == 0.0
    assert float(M.binary_auroc(p, torch.zeros(3, dtype=torch.long))) == 0.0


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n,labels", [(1, 4), (30, 5), (375, 10)])
def test_multilabel_f1_exact_match(seed, n, labels):
    g = gen(seed)
    t = torch.randint(0, 2, (n, labels), generator=g)
    p = torch.sigmoid(torch.randn(n, labels, generator=g) + 2.0 * (t - 0.5))
    f1, exact = M.multilabel_f1_exact_match(p, t)
    same(f1, tmf.classification.multilabel_f1_score(p, t, num_labels=labels, average="macro"))
    same(exact, tmf.classification.multilabel_exact_match(p, t, num_labels=labels))
    hard = (p > 0.5).long()
    assert float(f1) == pytest.approx(skm.f1_score(t, hard, average="macro", zero_division=0))
    assert float(exact) == pytest.approx(skm.accuracy_score(t, hard))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [2, 66, 300])
def test_regression_mse_r2(seed, n):
    g = gen(seed)
    true = torch.randn(n, generator=g) * 50 + 150
    pred = true + torch.randn(n, generator=g) * 30
    same(M.mean_squared_error(pred, true), tmf.mean_squared_error(pred, true))
    same(M.r2_score(pred, true), tmf.r2_score(pred, true))
    # (float32 sums of squares around 150 lose digits: torchmetrics and ours alike)
    assert float(M.r2_score(pred, true)) == pytest.approx(skm.r2_score(true, pred), rel=1e-3)


def test_r2_edge_cases_follow_torchmetrics():
    flat = torch.full((5,), 3.0)
    same(M.r2_score(flat, flat), tmf.r2_score(flat, flat))  # exact fit: 1
    same(M.r2_score(flat + 1, flat), tmf.r2_score(flat + 1, flat))  # constant target, wrong: 0
    with pytest.raises(ValueError, match="at least two"):
        M.r2_score(torch.ones(1), torch.ones(1))

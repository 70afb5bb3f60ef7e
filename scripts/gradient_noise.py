"""A mini-batch gradient is a sample estimate of the full-batch gradient: on digits at one fixed w
(float64), the variance of B-row batch gradients against B (with and without replacement, with
their predictions), their cosine to the full gradient, and how far the mean of many batches is from
it (unbiased: about what sampling predicts)."""

import sys

from _plot import parse_args, save

args = parse_args("gradient_noise", __doc__, sys.argv[1:])

import matplotlib.pyplot as plt  # noqa: E402 - after the backend is chosen

from nnref.experiments import gradient_noise  # noqa: E402

r = gradient_noise.run(n_batches=100, hidden=(16,)) if args.quick else gradient_noise.run()
s, sizes = r["settings"], r["batch_sizes"]
keys = [str(b) for b in sizes]
n = r["n_train"]

fig, axes = plt.subplots(1, 3, figsize=(16, 4.6))
ax = axes[0]
ax.loglog(
    sizes,
    [r["variance"][k] for k in keys],
    "o",
    color="tab:blue",
    ms=7,
    label=f"drawn with replacement (fitted slope {r['slope']:.3f})",
)
ax.loglog(
    sizes, [r["predicted_variance"][k] for k in keys], "-", color="tab:blue", lw=1, label="tr(S)/B"
)
ax.loglog(
    sizes,
    [r["variance_without_replacement"][k] for k in keys],
    "s",
    color="tab:orange",
    ms=5,
    label=f"without replacement (slope {r['slope_without_replacement']:.3f})",
)
ax.loglog(
    sizes,
    [r["predicted_without_replacement"][k] for k in keys],
    "--",
    color="tab:orange",
    lw=1,
    label=f"tr(S)/B · (N−B)/(N−1), N={n}",
)
ax.set(
    xlabel="batch size B",
    ylabel="E |g_B − g|²  (variance of the batch gradient)",
    title=f"variance falls as 1/B; {s['n_batches']} batches per size",
)
ax.legend(fontsize=8)

ax = axes[1]
ax.semilogx(sizes, [r["mean_cosine_to_full"][k] for k in keys], "o-", color="tab:green")
ax.set(
    xlabel="batch size B",
    ylabel="mean cosine(g_B, g)",
    ylim=(0, 1.02),
    title="direction: the batch gradient against the full one",
)

ax = axes[2]
ratio = [r["mean_error"][k] / r["expected_mean_error"][k] for k in keys]
ax.semilogx(
    sizes,
    ratio,
    "o-",
    color="tab:purple",
    label=f"|mean of {s['n_batches']} batch gradients − g|² ÷ tr(S)/(B·{s['n_batches']})",
)
ax.axhline(1, color="grey", ls=":", lw=1)
exact = max(r["permutation_mean_error"].values())
ax.set(
    xlabel="batch size B",
    ylabel="observed ÷ predicted for an unbiased estimate",
    ylim=(0, 2.5),
    title="unbiased: the mean misses g only by sampling error\n"
    f"(one epoch's size-weighted batches: max |mean − g| ≤ {exact:.0e})",
)
ax.legend(fontsize=8, loc="upper right")
for ax in axes:
    ax.title.set_fontsize(9)
fig.suptitle(
    f"digits (multiclass, n_train={n}), MLP hidden {s['hidden']} at its seeded initial weights, "
    f"{r['n_weights']} weights, float64; |g| = {r['full_gradient_norm']:.3f}, tr(S) = "
    f"{r['trace_covariance']:.3f}",
    fontsize=10,
)
fig.tight_layout()
save(fig, r, args.out, "gradient_noise")
print(
    f"{'B':>4} {'variance':>10} {'predicted':>10} {'without_repl':>12} "
    f"{'predicted':>10} {'cosine':>7} {'mean_error/expected':>19}"
)
for k in keys:
    print(
        f"{k:>4} {r['variance'][k]:>10.4g} {r['predicted_variance'][k]:>10.4g} "
        f"{r['variance_without_replacement'][k]:>12.4g} "
        f"{r['predicted_without_replacement'][k]:>10.4g} {r['mean_cosine_to_full'][k]:>7.3f} "
        f"{r['mean_error'][k] / r['expected_mean_error'][k]:>19.2f}"
    )
print(f"slope={r['slope']:.4f} slope_without_replacement={r['slope_without_replacement']:.4f}")

"""What the sheet, answers.md and report.html share: the quick-run warning and the answer rows."""

QUICK_WARNING = ("QUICK RUN - THESE ARE NOT THE ANSWERS. This run used a small subset and 1 epoch "
                 "only to check the installation; run without --quick for the problem set's answers.")


BF16_WARNING = ("bf16 precision: the CIFAR-10 nets ran under bfloat16 autocast, which changes their accuracies; "
                "the quiz answers are the default fp32 run's.")


def banners(doc):
    """Warnings that must stand above the answers."""
    out = [QUICK_WARNING] if doc.get("quick") else []
    if doc["config"]["settings"].get("precision", "fp32") != "fp32":
        out.append(BF16_WARNING)
    return out


def answer_rows(doc):
    """One row per answer: id, question, answer (faithful, rounded as asked), corrected, accepted range."""
    rows = []
    for id, a in doc["answers"].items():
        answer = a["display"] + (f" {a['unit']}" if a["unit"] and a["unit"] not in ("accuracy",) else "")
        corrected = ""
        if a.get("corrected") and a["corrected"]["display"] != a["display"]:
            corrected = a["corrected"]["display"]
        rows.append({"id": id, "question": a["question"], "answer": answer, "corrected": corrected,
                     "spread": spread_text(a)})
    return rows


def spread_text(a):
    sp = a.get("spread") or {}
    parts = []
    if "faithful" in sp:
        f = sp["faithful"]
        parts.append(f"{f['accepted']} (mean {f['mean']:.4g}, sd {f['std']:.2g}, n={f['n']})")
    if "corrected" in sp:
        c = sp["corrected"]
        if "smallest_width_counts" in c:
            counts = ", ".join(f"{w}: {n}x" for w, n in c["smallest_width_counts"].items())
            parts.append(f"corrected: {counts}")
        elif c["min"] == c["max"] and c["n"] > 1 and "faithful" in sp:
            parts.append(f"corrected {c['accepted']} (no randomness left)")
        else:
            parts.append(f"corrected {c['accepted']}")
    if a.get("seed_pinned") and a.get("per_seed") and len(a["per_seed"]) > 1 and "faithful" not in sp:
        parts.insert(0, "faithful: same for every seed (seeded in the listing)")
    return "; ".join(parts)

"""The figures of the report, drawn with matplotlib (and scikit-learn's displays), saved as PNG and SVG."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .._atomic import atomic_path  # noqa: E402
from .._folder import RunFolder  # noqa: E402


def draw_all(answers, out_dir):
    """Draw every answer's plots into the run folder's figures; set each answer's ``figures``; return all paths."""
    figures = Figures(out_dir)
    for answer in answers.values():
        answer.figures = [figures.draw(plot) for plot in answer.plots]
    return figures.made


class Figures:
    """Saves figures into a run folder; each method returns the PNG's path relative to the folder."""

    def __init__(self, out_dir):
        self.folder = RunFolder(out_dir)
        self.made = []

    def draw(self, plot):
        """Draw an answer's ``Plot``."""
        d = plot.data
        if plot.kind == "images":
            return self.images(np.asarray(d["pixels"], dtype=np.uint8), d["titles"], plot.name, plot.title)
        if plot.kind == "curves":
            return self.learning_curves(d, plot.name, plot.title)
        if plot.kind == "confusion":
            return self.confusion(d["matrix"], d["labels"], plot.name, plot.title)
        if plot.kind == "width_sweep":
            return self.width_sweep(d["widths"], d["series"], d["threshold"], plot.name, plot.title)
        if plot.kind == "boundaries":
            from .._predictors import from_description

            X, y = np.asarray(d["X"]), np.asarray(d["y"])
            panels = [(p["title"], from_description(p["model"]).fit(X, y)) for p in d["panels"]]
            return self.boundaries(panels, X, y, np.asarray(d["train_mask"], dtype=bool), plot.name, plot.title)
        raise ValueError(f"unknown plot kind {plot.kind!r}")

    def _save(self, fig, name):
        for fmt in ("png", "svg"):
            path, _ = self.folder.figure(name, fmt)
            with atomic_path(path) as tmp:
                fig.savefig(tmp, format=fmt, dpi=110, bbox_inches="tight")
        plt.close(fig)
        png = self.folder.figure_name(name, "png")
        self.made.append(png)
        return png

    def images(self, images, titles, name, title=""):
        """A row of uint8 (N, 3, H, W) images with a title over each."""
        fig, axes = plt.subplots(1, len(images), figsize=(1.6 * len(images), 2.0), squeeze=False)
        for ax, img, t in zip(axes[0], images, titles):
            ax.imshow(np.asarray(img).transpose(1, 2, 0), interpolation="nearest")
            ax.set_title(t, fontsize=9)
            ax.axis("off")
        if title:
            fig.suptitle(title, fontsize=10)
        return self._save(fig, name)

    def learning_curves(self, history, name, title):
        """Loss and accuracy per epoch: training (augmented batches, during the epoch) and the test set after
        each epoch, both as the listing scores it (randomly flipped and cropped) and clean."""
        epochs = np.arange(1, len(history["train_loss"]) + 1)
        fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9.5, 3.4))
        ax_loss.plot(epochs, history["train_loss"], "o-", label="train (augmented, during the epoch)")
        ax_acc.plot(epochs, history["train_accuracy"], "o-", label="train (augmented, during the epoch)")
        if history.get("test_loss"):
            ax_loss.plot(epochs, history["test_loss"], "s-", label="test, clean (corrected)")
            ax_acc.plot(epochs, history["test_accuracy"], "s-", label="test, clean (corrected)")
        if history.get("faithful_test_accuracy"):
            ax_acc.plot(epochs, history["faithful_test_accuracy"], "^--",
                        label="test, flipped and cropped (faithful: as the listing scores it)")
        for ax, label in ((ax_loss, "loss"), (ax_acc, "accuracy")):
            ax.set_xlabel("epoch")
            ax.set_ylabel(label)
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7)
        fig.suptitle(title, fontsize=10)
        return self._save(fig, name)

    def confusion(self, matrix, labels, name, title):
        from sklearn.metrics import ConfusionMatrixDisplay

        fig, ax = plt.subplots(figsize=(6.2, 5.4))
        ConfusionMatrixDisplay(np.asarray(matrix), display_labels=labels).plot(
            ax=ax, xticks_rotation=45, colorbar=False, values_format="d")
        ax.set_title(title, fontsize=10)
        return self._save(fig, name)

    def boundaries(self, panels, X, y, train_mask, name, title="", cols=4):
        """Decision boundaries of fitted classifiers over a scatter of all the data.

        ``panels`` is a list of (title, estimator) with sklearn's predict API; train
        points are drawn as circles, test points as crosses.
        """
        from sklearn.inspection import DecisionBoundaryDisplay

        cols = min(cols, len(panels))
        rows = -(-len(panels) // cols)
        fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 3.4 * rows), squeeze=False)
        for ax in axes.flat[len(panels):]:
            ax.axis("off")
        for ax, (panel_title, estimator) in zip(axes.flat, panels):
            DecisionBoundaryDisplay.from_estimator(estimator, X, response_method="predict", ax=ax,
                                                   alpha=0.35, cmap="coolwarm", grid_resolution=200)
            for mask, marker, label in ((train_mask, "o", "train"), (~train_mask, "x", "test")):
                ax.scatter(X[mask, 0], X[mask, 1], c=y[mask], cmap="coolwarm", marker=marker, s=10,
                           linewidths=0.8, edgecolors="none" if marker == "o" else None, label=label)
            ax.set_title(panel_title, fontsize=9)
            ax.set_aspect("equal")
        axes.flat[0].legend(loc="upper right", fontsize=7)
        if title:
            fig.suptitle(title, fontsize=10)
        return self._save(fig, name)

    def width_sweep(self, widths, series, threshold, name, title):
        """Test accuracy against hidden width, one line per protocol, the target as a dashed line."""
        fig, ax = plt.subplots(figsize=(5.5, 3.5))
        for label, accuracies in series.items():
            ax.plot(widths, accuracies, "o-", label=label)
        ax.axhline(threshold, ls="--", c="gray", label=f"target {threshold}")
        ax.set_xscale("log", base=2)
        ax.set_xticks(widths, [str(w) for w in widths])
        ax.set_xlabel("hidden width")
        ax.set_ylabel("test accuracy")
        ax.grid(alpha=0.3)
        ax.legend()
        ax.set_title(title, fontsize=10)
        return self._save(fig, name)

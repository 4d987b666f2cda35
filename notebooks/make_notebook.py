"""Write problem_set_10.ipynb (outputs cleared) from the cells below: `python notebooks/make_notebook.py`.

The notebook is generated so that its source stays reviewable as plain Python; tests/test_notebook.py
checks that the committed notebook is what this script writes, and executes it with a real kernel.
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

MD, CODE = new_markdown_cell, new_code_cell

CELLS = [
    MD("""# Problem Set 10: Deep Classification, worked through with classlab

One section per question: the problem set's words, its code where it matters, the classlab call that answers it,
the figure, and what the problem set's own pitfalls do to the numbers. *Faithful* is the problem set's code as
written (the quiz answer); *corrected* is correct practice.

The next cell holds the parameters. As committed it runs the real thing (the whole problem set, one seed: about
3 minutes on two CPU cores, CIFAR-10 downloaded on first use). Set `QUICK = True` for a one-minute check of an
installation (its numbers are **not** the answers), `CIFAR` to a local copy, `SEEDS` for accepted ranges."""),
    CODE("""import os

# Parameters (CI sets them through the environment; edit them here for your own run).
QUICK = os.environ.get("CLASSLAB_NOTEBOOK_QUICK", "0") == "1"  # True: small subset, 1 epoch: NOT the answers
CIFAR = os.environ.get("CLASSLAB_NOTEBOOK_CIFAR")  # None: ./data, downloaded there on first use
DATA_DIR = os.environ.get("CLASSLAB_NOTEBOOK_DATA_DIR")  # where the tensor cache goes (None: ./data)
OUT = os.environ.get("CLASSLAB_NOTEBOOK_OUT")  # None: a new folder under runs/
SEEDS = int(os.environ.get("CLASSLAB_NOTEBOOK_SEEDS", "1"))""", metadata={"tags": ["parameters"]}),
    MD("""## The whole problem set, in one call

`classlab.run` takes the command line's options and returns the answers as objects: the table below is the
answer sheet (the same as `answers.md`), and `result["1.4"]` is one answer, with its value, its rounded
display, the corrected protocol's value, the spread over seeds and its figures."""),
    CODE("""import classlab

result = classlab.run(quick=QUICK, cifar=CIFAR, data_dir=DATA_DIR, out=OUT, seeds=SEEDS, force=OUT is not None)
result"""),
    MD("""## 1 Recognizing objects

The problem set loads CIFAR-10 through torchvision with this transform, **for the training and the test set
alike**:

```python
transform = transforms.Compose([
    transforms.RandomHorizontalFlip(),
    transforms.RandomCrop(32, padding=4),
    transforms.ToTensor(),
    transforms.Normalize((0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010))])
```

classlab keeps the images as uint8 tensors and applies the same flip, crop and normalization to whole batches
(`classlab.augment`), drawing exactly torchvision's distribution (the tests compare the two image by image).

### 1.1 How much larger is the training set in comparison to the test set?"""),
    CODE('result.show("1.1")'),
    MD("### 1.2 What do the first 5 pictures in the training set represent?"),
    CODE('result.show("1.2")'),
    MD("""### 1.3 How many parameters does the dense model have?

The listing's `Dense` is `classlab.Dense`; counting its parameters the usual way:"""),
    CODE("""from classlab import Dense

sum(p.numel() for p in Dense().parameters())"""),
    CODE('result.show("1.3")'),
    MD("""### 1.4 The dense net's test accuracy after 10 epochs (`nn.NLLLoss`, `Adam(lr=0.001)`)

**Pitfall.** The test set is loaded with the *training* transform, so the listing scores the net on randomly
flipped and cropped test images. classlab reports that (faithful) and the accuracy on the clean test set
(corrected); the learning curves show both after every epoch."""),
    CODE("""dense = result["1.4"]
print(f"as the listing measures it: {dense.display}   on the clean test set: {dense.corrected['display']}")
result.show("1.4")"""),
    MD("""### 1.5 How many parameters does the CNN have?

conv(3→32, k=5, padding 1), max-pool 2, conv(32→64, k=3, padding 1), max-pool 2, a hidden layer of 64 and 10
outputs; SiLU after the convolutions, ReLU after the hidden layer, no softmax:"""),
    CODE("""from classlab import CNN

print(CNN())
sum(p.numel() for p in CNN().parameters())"""),
    CODE('result.show("1.5")'),
    MD("### 1.6 The CNN's test accuracy after 10 epochs (`nn.CrossEntropyLoss`, `Adam(lr=0.001)`)"),
    CODE('result.show("1.6")'),
    MD("""### 1.7 and 1.8 The RBF SVC on the first 10,000 training images

`classlab.RBFSVC` is `SVC(kernel='rbf')` with the same defaults, fitted through a precomputed Gram matrix: the
same support vectors, many times faster, and a scikit-learn estimator that fits in a Pipeline. The same pitfall
applies: numpy arrays taken from the problem set's data sets are augmented."""),
    CODE("""from sklearn.datasets import make_classification
from sklearn.svm import SVC

X, y = make_classification(n_samples=300, n_features=20, random_state=0)
ours, sklearns = classlab.RBFSVC().fit(X, y), SVC(kernel="rbf").fit(X, y)
print("same support vectors:", (ours.support_ == sklearns.support_).all())
result.show("1.7")
result.show("1.8")"""),
    MD("""## 2 Learning features

### 2.1 Logistic regression on the 50:50 split (`random_state=42`)

As a student writes it, on the same files classlab used:"""),
    CODE("""import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from classlab.data.points import embedded_paths

x_file, y_file = embedded_paths()  # classlab's stand-in X_classification.npy and y_classification.npy
X, y = np.load(x_file), np.load(y_file)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, random_state=42)
print(round(LogisticRegression().fit(X_train, y_train).score(X_test, y_test), 3))
result.show("2.1")"""),
    MD("### 2.2 The decision boundary over a scatter plot of all data"),
    CODE('result.show("2.2")'),
    MD("""### 2.3 DeepClassifier with one hidden layer of width 2, 100 epochs

The listing's class is `classlab.DeepClassifier`, quirks included:

* `torch.manual_seed(42)` inside `__init__` reseeds torch's global generator, which also fixes the order in
  which the DataLoader shuffles: every run gives the same numbers, whatever seed you set before;
* the middle layers sit in a plain Python list, so `parameters()` misses them and they are never trained
  (it only matters for `n_hidden > 1`).

classlab's faithful numbers equal the listing's own bit for bit (a test runs the listing to prove it)."""),
    CODE("""from classlab import DeepClassifier, DeepClassifierCorrected

print(len(list(DeepClassifier(n_hidden=3, hidden_dim=8).parameters())), "parameter tensors in the listing's net,",
      len(list(DeepClassifierCorrected(n_hidden=3, hidden_dim=8).parameters())), "with nn.ModuleList")
result.show("2.3")"""),
    MD("""### 2.4 The smallest width that reaches a test accuracy of 0.99

The report (`report.html` in the run's folder) has sliders over the widths and the epochs that show the
boundary close around the disc as the hidden layer widens."""),
    CODE('result.show("2.4")'),
    MD("## The problem set's pitfalls, measured"),
    CODE("""for pitfall in result.pitfalls:
    print(f"{pitfall.id}: {pitfall.effect}")"""),
]


def build():
    for i, cell in enumerate(CELLS):
        cell.id = f"cell-{i:02d}"  # stable ids: the same script writes the same file
    nb = new_notebook(cells=CELLS, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}})
    return nb


def write(path=Path(__file__).with_name("problem_set_10.ipynb")):
    nbformat.write(build(), str(path))
    return path


if __name__ == "__main__":
    print(write())

"""Problem Set 10's own code, as written: the baseline that classlab is measured against.

Its listings with only the ``nn.ReLU().`` typo fixed: torchvision's per-image PIL transforms,
DataLoader with batch_size=50, Adam lr=1e-3, the test set loaded with the training transform,
SVC(kernel='rbf') on arrays taken from the datasets item by item, and part 2's DeepClassifier
trained through a DataLoader. The CNN is what 1.5 describes in words (the problem set gives no
listing). The images come from memory (uint8 arrays), as torchvision's CIFAR10 keeps them.
"""

import time

import numpy as np
import torch
from PIL import Image
from torch import nn, optim
from torchvision import transforms

transform = transforms.Compose([
    transforms.RandomHorizontalFlip(),  # Randomly flip some images horizontally
    transforms.RandomCrop(32, padding=4),  # Randomly crop with padding
    transforms.ToTensor(),  # Convert image to tensor
    transforms.Normalize((0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010)),  # Normalize with mean and std
])
clean_transform = transforms.Compose([transforms.ToTensor(),
                                      transforms.Normalize((0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010))])


class InMemoryCIFAR10(torch.utils.data.Dataset):
    """Per item exactly what torchvision's CIFAR10 does: uint8 HWC array -> PIL image -> transform."""

    def __init__(self, x_uint8_nchw, y, transform):
        self.data = x_uint8_nchw.permute(0, 2, 3, 1).numpy()
        self.targets = y.tolist()
        self.transform = transform

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, i):
        return self.transform(Image.fromarray(self.data[i])), self.targets[i]


input_size = 1024
hidden_sizes = [256, 64]
output_size = 10


class Dense(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3 * input_size, hidden_sizes[0])
        self.fc2 = nn.Linear(hidden_sizes[0], hidden_sizes[1])
        self.fc3 = nn.Linear(hidden_sizes[1], 10)

    def forward(self, x):
        batch_size = x.shape[0]
        x = x.reshape(batch_size, -1)
        x = nn.functional.relu(self.fc1(x))
        x = nn.functional.relu(self.fc2(x))
        x = nn.functional.log_softmax(self.fc3(x), dim=1)
        return x


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, kernel_size=5, padding=1)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=3, padding=1)
        self.fc1 = nn.Linear(64 * 7 * 7, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool(nn.functional.silu(self.conv1(x)))
        x = self.pool(nn.functional.silu(self.conv2(x)))
        x = nn.functional.relu(self.fc1(x.flatten(1)))
        return self.fc2(x)


def accuracy(model, loader):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(1) == y).sum().item()
            total += len(y)
    return correct / total


def train_cifar(which, data, seed, epochs=10):
    """Train the dense net or the CNN as the problem set does; return accuracies and times."""
    torch.manual_seed(seed)
    train_dataset = InMemoryCIFAR10(data.train_x, data.train_y, transform)
    test_dataset = InMemoryCIFAR10(data.test_x, data.test_y, transform)
    train_loader = torch.utils.data.DataLoader(dataset=train_dataset, batch_size=50, shuffle=True)
    test_loader = torch.utils.data.DataLoader(dataset=test_dataset, batch_size=50, shuffle=False)
    model = Dense() if which == "dense" else CNN()
    criterion = nn.NLLLoss() if which == "dense" else nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=0.001)
    epoch_s = []
    for _ in range(epochs):
        t = time.perf_counter()
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        epoch_s.append(time.perf_counter() - t)
    t = time.perf_counter()
    acc = accuracy(model, test_loader)
    eval_s = time.perf_counter() - t
    clean = torch.utils.data.DataLoader(InMemoryCIFAR10(data.test_x, data.test_y, clean_transform), batch_size=50)
    return {"accuracy": acc, "accuracy_clean": accuracy(model, clean), "epoch_s": epoch_s, "eval_s": eval_s}


def svc_arrays(data, n_train=10_000, seed=0):
    """Turn the pytorch sets into numpy arrays, item by item, through the (augmenting) transform."""
    torch.manual_seed(seed)
    train_dataset = InMemoryCIFAR10(data.train_x, data.train_y, transform)
    test_dataset = InMemoryCIFAR10(data.test_x, data.test_y, transform)
    X = np.stack([train_dataset[i][0].numpy().ravel() for i in range(n_train)])
    y = np.array([train_dataset[i][1] for i in range(n_train)])
    Xt = np.stack([test_dataset[i][0].numpy().ravel() for i in range(len(test_dataset))])
    yt = np.array(test_dataset.targets)
    return X, y, Xt, yt


class DeepClassifier(nn.Module):
    def __init__(self, n_hidden: int = 1, hidden_dim: int = 32):
        super().__init__()
        torch.manual_seed(42)
        self.n_hidden = n_hidden
        self.first = nn.Linear(2, hidden_dim)
        self.between = [nn.Linear(hidden_dim, hidden_dim) for i in range(self.n_hidden - 1)]
        self.last = nn.Linear(hidden_dim, 2)

    def forward(self, x):
        x = nn.functional.leaky_relu(self.first(x))
        for i in range(self.n_hidden - 1):
            x = nn.functional.leaky_relu(self.between[i](x))
        x = nn.functional.log_softmax(self.last(x), dim=1)
        return x


def part2(X, y, widths=(2, 4, 8, 16, 32, 64), epochs=100):
    """2.1 and 2.3-2.4 as a student writes them: LogisticRegression, then a DataLoader loop per width."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, random_state=42)
    out = {"logreg": LogisticRegression().fit(X_train, y_train).score(X_test, y_test)}
    train = torch.utils.data.TensorDataset(torch.tensor(X_train, dtype=torch.float32), torch.tensor(y_train))
    for n_hidden, width in [(1, w) for w in widths] + [(3, 8)]:
        model = DeepClassifier(n_hidden, width)
        loader = torch.utils.data.DataLoader(train, batch_size=50, shuffle=True)
        criterion, optimizer = nn.NLLLoss(), optim.Adam(model.parameters(), lr=0.001)
        for _ in range(epochs):
            for xb, yb in loader:
                optimizer.zero_grad()
                criterion(model(xb), yb).backward()
                optimizer.step()
        with torch.no_grad():
            pred = model(torch.tensor(X_test, dtype=torch.float32)).argmax(1).numpy()
        out[f"h{n_hidden}-w{width}"] = float((pred == y_test).mean())
    return out

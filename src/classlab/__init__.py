"""classlab: Problem Set 10 "Deep Classification", answered reproducibly, fast and with its pitfalls measured."""

__version__ = "0.1.0"

"""The one error type a user sees: a clear line, exit code 2, no traceback."""


class ClasslabError(Exception):
    """A problem with the user's input or environment, reported as one line.

    The message should name the file (or option) and what is wrong with it.
    """

    exit_code = 2


class DataError(ClasslabError):
    """A data file or folder that cannot be used."""

    def __init__(self, path, problem):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")

    def __reduce__(self):  # raised in a worker process or a Ray task, it must travel back whole
        return type(self), (self.path, self.problem)

"""Data: CIFAR-10 as uint8 tensors, batched augmentation, and the 2-D points of part 2."""

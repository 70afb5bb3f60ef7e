"""python train.py task=multiclass optim=nag batching=mini: the same command as nnref-train."""

from nnref.train import main

if __name__ == "__main__":
    main()

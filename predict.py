"""python predict.py checkpoint=RUN/checkpoints/best.ckpt input=FILE output=FILE: the same as
nnref-predict."""

from nnref.predict import main

if __name__ == "__main__":
    main()

"""python predict.py checkpoint=RUN/checkpoints/best.ckpt input=FILE output=FILE   (see conf/predict.yaml)"""
import hydra
from omegaconf import DictConfig

import nnref  # noqa: F401 - its known-warning filters, before Lightning is imported


@hydra.main(version_base="1.3", config_path="conf", config_name="predict")
def main(cfg: DictConfig) -> None:
    from nnref.checks import refuse
    from nnref.data.sources import DataError
    from nnref.predict import run

    try:
        run(cfg)
    except DataError as e:
        refuse(e)


if __name__ == "__main__":
    main()

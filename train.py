"""python train.py task=multiclass optim=nag batching=mini   (see conf/ for every choice)"""
import hydra
from omegaconf import DictConfig

import nnref  # noqa: F401 - its known-warning filters, before Lightning is imported


@hydra.main(version_base="1.3", config_path="conf", config_name="train")
def main(cfg: DictConfig) -> float:
    from nnref.checks import ConfigError, refuse
    from nnref.data.sources import DataError
    from nnref.train import run

    try:
        return run(cfg)
    except (ConfigError, DataError) as e:
        refuse(e)


if __name__ == "__main__":
    main()

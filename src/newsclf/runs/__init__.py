"""Running experiments: the Hydra app behind ``newsclf train`` (:mod:`.app`), the run dir it
writes and reads back (:mod:`.run_dir`), sweeps (:mod:`.sweep`), Optuna searches (:mod:`.tune`),
experiment tracking (:mod:`.tracking`) with the MLflow pyfunc model of a run
(:mod:`.mlflow_model`), and :func:`newsclf.train`, the same run from Python (:mod:`.python_api`)."""

"""Running experiments: the Hydra app behind ``newsclf train`` (:mod:`.app`), the run dir it
writes and reads back (:mod:`.run_dir`), sweeps (:mod:`.sweep`), Optuna searches (:mod:`.tune`)
and experiment tracking (:mod:`.tracking`)."""

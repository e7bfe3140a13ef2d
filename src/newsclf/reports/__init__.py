"""Reading finished runs and models back: comparisons of runs (:mod:`.compare`), error analysis
(:mod:`.error_analysis`), explanations of linear models (:mod:`.explain`), model cards
(:mod:`.card`) and plots (:mod:`.plots`)."""

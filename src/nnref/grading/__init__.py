"""nnref-grade: a class's notebooks -> grades.csv, feedback for each student, and a summary.

    nnref-grade SUBMISSIONS --out DIR [--lang en|ko] [--seed N] [--jobs N]

Each exercise of each notebook runs in a process of its own (child.py, started by sandbox.py),
as the notebook would run it, with limits on time, memory and printed output, in a scratch folder
and a clean environment; the student's code only ever hands back plain data, and the verdict is
computed here, outside it, by the testing kit's judges (nnref.testing), so a notebook's check and
the grader agree.

Where things are: cli.py (the command), submissions.py (students and their notebooks: folders, a
.zip, Moodle's and Canvas's downloads), notebook.py (an exercise's code, found by the name it
defines), guard.py and child.py (the child process: nnref withheld, the cells run, the probe),
sandbox.py (starting children, limits), judge.py (a child's data -> an exercise's result),
results.py (results as JSON), points.py, run.py (the batch: parallel, resumable), outputs.py,
feedback.py and summary.py (what it writes). docs/teaching.md is the teacher's page.

This module imports nothing: the child process imports child.py alone, and nothing of nnref's
reference implementations, so that a student's import of them is seen.
"""

"""What a teacher adds to the dashboard: lessons to step through and questions to predict.

- `questions`: the questions of "predict, then reveal", each answered from two states' results;
- `lesson`: lessons (a story of steps, each a state, a text and a question) read from JSON and
  checked, and the share links of their steps;
- ``lessons/``: the lessons that ship with the package.

Both sit above the results (numpy only) and below the figures and the app.
"""

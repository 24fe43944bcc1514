"""The progress report to parliament, drafted from live data: the board as a roadmap figure, a paragraph per act,
deadlines, changes since the previous report and the evaluations (Bijlage 2), as HTML, PDF and DOCX.

`data.gather` reads everything for one as-of date and set of options in a fixed number of queries, and `changes`
words what changed since the previous report; `figure` draws the roadmap (SVG, PNG); `html`, `pdf` and `docx`
write the formats from the same data.
"""

# The two commands of the quick start: `make demo` and `make test`.
# Both create .venv when it is missing and install the project into it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := outputs/demo

.PHONY: demo test bench bench-scale faults model model-cnn model-e5 install clean-demo interop

install: $(STAMP)

$(STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# BERTopic without its sentence-transformers/torch dependency (several GB):
	# its real runtime needs are declared in pyproject.toml.
	$(BIN)/python -m pip install --quiet --no-deps 'bertopic>=0.16.4,<0.18'
	touch $(STAMP)

# The demo report includes the machine's pending suggestions (nobody has coded
# the demo corpus yet); it says so on every page. Nobody has read it either: the
# demo marks every document as coded for every branch in bulk (coverage), and the
# report says so on its first page. On real data, coders mark what they coded
# (exporterre coverage mark --coder NAME --doc DOC --branch BRANCH).
demo: $(STAMP)
	rm -rf $(DEMO) outputs/rapport outputs/themes outputs/pseudo outputs/echange
	$(BIN)/exporterre init $(DEMO)
	$(BIN)/exporterre ingest corpus/demo --project $(DEMO)
	$(BIN)/exporterre status --project $(DEMO)
	$(BIN)/exporterre analyse --project $(DEMO)
	# The demo corpus is fictional: its detections are accepted in bulk here.
	# On real data a person reviews them (exporterre pseudo review / accept / reject).
	$(BIN)/exporterre pseudo detect --project $(DEMO)
	$(BIN)/exporterre pseudo review --project $(DEMO) --accept-all all --min-score 0.75 --json > /dev/null
	$(BIN)/exporterre pseudo export --project $(DEMO) --out outputs/pseudo --force
	$(BIN)/exporterre themes --project $(DEMO) --out outputs/themes --force
	$(BIN)/exporterre coverage mark --project $(DEMO) --coder demo --all --bulk
	$(BIN)/exporterre report --project $(DEMO) --out outputs/rapport --include-pending --pseudonymise
	# Exchange files (pseudonymised): REFI-QDA for NVivo/ATLAS.ti/MAXQDA/QualCoder, IRaMuTeQ, spreadsheet
	$(BIN)/exporterre export qdpx --project $(DEMO) --out outputs/echange/demo.qdpx --force --include-pending --pseudonymise
	$(BIN)/exporterre export iramuteq --project $(DEMO) --out outputs/echange/corpus_iramuteq.txt --force --include-pending --pseudonymise
	$(BIN)/exporterre export codings --project $(DEMO) --out outputs/echange/codages.xlsx --force --include-pending --pseudonymise
	@echo "Rapport : outputs/rapport/rapport.html — carte et fiches des lieux : outputs/rapport/lieux/ — coder : $(BIN)/exporterre code --project $(DEMO) --coder amina"

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# Kill -9 harness (issue 17, docs/safety.md): SIGKILL ingest, analyse, report, export at random moments
# and check the store and the outputs. Minutes; not part of CI. KILLS=… to change the number of kills.
faults: $(STAMP)
	$(BIN)/python -m benchmarks.faults --kills $(or $(KILLS),8)

# The whole pipeline on 1M-, 3M- and 10M-word projects replicated from real text (hours; not in CI).
# SCALE_SIZES="1000000" make bench-scale for one size; see docs/big-projects.md.
bench-scale: $(STAMP)
	nice -n 10 $(BIN)/python -m benchmarks.bench_scale $(SCALE_SIZES)

# The sentence model shipped with Exporterre, trained again from the labelled sets (never their test half).
model: $(STAMP)
	$(BIN)/exporterre train-model --out exporterre_nlp/data/sentence_model.json.gz --name phrases-fr-1

# The same regression with its neural classifier (extraction.sentence_model: builtin-cnn): about 8 minutes.
model-cnn: $(STAMP)
	$(BIN)/exporterre train-model --out exporterre_nlp/data/sentence_model_cnn.json.gz --name phrases-cnn-fr-1 --classifier

# The same regression with e5 embeddings of each sentence and of its question (extraction.sentence_model:
# builtin-e5, docs/nlp.md "Encoders"): embeds about 5,000 texts (minutes; cached in outputs/embeddings).
model-e5: $(STAMP)
	nice -n 10 $(BIN)/exporterre train-model --out exporterre_nlp/data/sentence_model_e5.json.gz --name phrases-e5-fr-1 --encoder e5 --embedding-cache outputs/embeddings

clean-demo:
	rm -rf $(DEMO)

# Our .qdpx through the real QualCoder and back (outside CI; fetches nothing). Needs a QualCoder
# checkout and a Python with PyQt6, both outside this repository:
#   git clone https://github.com/ccbogel/QualCoder /tmp/QualCoder
#   python3 -m venv /tmp/qcvenv && /tmp/qcvenv/bin/pip install PyQt6
QUALCODER ?= /tmp/QualCoder
QC_PYTHON ?= /tmp/qcvenv/bin/python
interop: $(STAMP)
	$(BIN)/python benchmarks/interop_qualcoder.py $(QUALCODER) --python $(QC_PYTHON)

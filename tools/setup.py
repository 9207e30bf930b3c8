"""`python -m tools.setup`: build whatever is missing or stale, in order, saying what each step does.

Steps 2–7 of the set-up (step 1, the venv, is scripts/bootstrap.sh). Each step keeps a stamp (the
hash of its inputs) beside its output and is skipped when the stamp still matches, so a second
`make run` only checks hashes. Trained models are also kept in the per-user cache, keyed by the hash
of everything that shapes them, so a fresh clone with unchanged data does not train again.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bot import paths
from bot.model import fingerprint, model_path, quiet_env
from bot.privacy.files import private_dir

STEPS = 7


def say(step: int, text: str) -> None:
    print(f"setup: [{step}/{STEPS}] {text}", flush=True)


def _stamp_matches(folder: Path, stamp: str) -> bool:
    return (folder / ".stamp").is_file() and (folder / ".stamp").read_text() == stamp


def _write_stamp(folder: Path, stamp: str) -> None:
    (folder / ".stamp").write_text(stamp)


def write_if_changed(path: Path, text: str) -> bool:
    """Write `text` unless the file already holds it (keeps mtimes, and Rasa's caches, stable)."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def step_generate() -> None:
    """Knowledge files → Rasa NLU data and responses; catalogue → lookup tables; dictionary."""
    from bot.knowledge.model import load
    from bot.nlp.dictionary import user_dict_text
    from bot.training_data import district_words, rasa_data

    say(2, "generating Rasa data from sources/knowledge and sources/catalogue into build/data")
    # Entities are marked once the pipeline exists (step_annotate, after it is rebuilt); marked with
    # the last one here, the files stay as they were when nothing that shapes the marks changed.
    pipeline = paths.SPACY_PIPELINE if (paths.SPACY_PIPELINE / "meta.json").is_file() else None
    changed = [
        str((paths.GENERATED_DATA / name).relative_to(paths.PROJECT))
        for name, text in rasa_data(pipeline=pipeline).items()
        if write_if_changed(paths.GENERATED_DATA / name, text)
    ]
    words = district_words()
    if write_if_changed(paths.USER_DICT, user_dict_text(words)):
        changed.append(str(paths.USER_DICT.relative_to(paths.PROJECT)))
    if write_homophones(words):
        changed.append(str(paths.HOMOPHONES.relative_to(paths.PROJECT)))
    print(f"setup:   {len(load().topics)} topics, {len(words)} dictionary words; "
          f"{'updated ' + ', '.join(changed) if changed else 'nothing changed'}", flush=True)


def write_homophones(words: list[str]) -> bool:
    """build/homophones.json from the district's names, words and text; rebuilt (about 15 s: every
    character's reading, Jieba's dictionary) only when those or the code that builds it changed."""
    import hashlib
    import json

    from bot.nlp.corpus import district_corpus
    from bot.nlp.homophones import build_table, district_names, jieba_lexicon

    names, corpus = sorted(district_names()), district_corpus()
    code = (paths.PROJECT / "bot" / "nlp" / "homophones.py").read_text(encoding="utf-8")  # builds the table
    key = hashlib.sha256(json.dumps([names, words, corpus, code], ensure_ascii=False).encode()).hexdigest()[:16]
    if paths.HOMOPHONES.exists() and json.loads(paths.HOMOPHONES.read_text(encoding="utf-8")).get("inputs") == key:
        return False
    table = build_table(names, words, corpus, jieba_lexicon()) | {"inputs": key}
    return write_if_changed(paths.HOMOPHONES, json.dumps(table, ensure_ascii=False, sort_keys=True))


def step_pkuseg() -> None:
    from bot.nlp import pkuseg_model
    from bot.nlp.corpus import district_corpus

    full = paths.BUILD / "pkuseg" / "full"
    if not all((full / name).exists() for name in pkuseg_model.MODEL_FILES):
        say(3, f"fetching the pkuseg source archive {pkuseg_model.ARCHIVE_NAME} (48 MB) and "
               "checking its SHA-256")
        archive = pkuseg_model.fetch_archive(paths.CACHE)
        say(3, "unpacking its default model")
        pkuseg_model.unpack_model(archive, full)
    corpus = district_corpus()
    # The archive's hash pins the full model; the corpus, the district dictionary (the corpus is
    # also segmented with it) and the threshold decide the pruning.
    stamp = fingerprint([paths.USER_DICT, Path(pkuseg_model.__file__)], *corpus,
                        pkuseg_model.ARCHIVE_SHA256)
    if _stamp_matches(paths.PKUSEG_MODEL, stamp):
        say(3, f"pruned pkuseg model ready ({paths.PKUSEG_MODEL.relative_to(paths.PROJECT)})")
        return
    say(3, f"pruning the pkuseg model, checked on {len(corpus)} district sentences (about a minute)")
    shutil.rmtree(paths.PKUSEG_MODEL, ignore_errors=True)
    pkuseg_model.prune(full, paths.PKUSEG_MODEL, corpus, paths.USER_DICT,
                       log=lambda line: print(f"setup:   {line}", flush=True))
    _write_stamp(paths.PKUSEG_MODEL, stamp)


def step_spacy() -> None:
    from bot.nlp import pipeline

    inputs = [paths.PKUSEG_MODEL / ".stamp", paths.USER_DICT, Path(pipeline.__file__)]
    stamp = fingerprint(inputs)
    if _stamp_matches(paths.SPACY_PIPELINE, stamp):
        say(4, f"spaCy pipeline ready ({paths.SPACY_PIPELINE.relative_to(paths.PROJECT)})")
        return
    say(4, "building the spaCy zh pipeline (pkuseg + district dictionary)")
    pipeline.build(paths.PKUSEG_MODEL, paths.USER_DICT, paths.SPACY_PIPELINE)
    _write_stamp(paths.SPACY_PIPELINE, stamp)


def step_annotate() -> None:
    """The generated questions again (the knowledge's and the catalogue's), their service names
    and field words marked as entities: the marks must span the tokens of the pipeline just built
    (bot/catalogue/annotate.py)."""
    from bot.training_data import rasa_data

    for name, text in rasa_data(pipeline=paths.SPACY_PIPELINE).items():
        path = paths.GENERATED_DATA / name
        if write_if_changed(path, text):
            say(4, f"marked the entities of the questions in {path.relative_to(paths.PROJECT)}")


def step_catalogue() -> None:
    """The catalogue database (SQLite by default), indexed with the pipeline's segmentation."""
    from bot.catalogue import create_store, load_catalogue
    from bot.catalogue.store import default_url

    url = default_url()
    inputs = [*paths.CATALOGUE_DATA.glob("*.yml"), paths.SPACY_PIPELINE / ".stamp",
              *(paths.PROJECT / "bot" / "catalogue").glob("*.py")]
    stamp = fingerprint(inputs, url)
    stamp_file = paths.BUILD / "catalogue.stamp"
    if stamp_file.exists() and stamp_file.read_text() == stamp and (
            not url.startswith("sqlite") or paths.CATALOGUE_DB.exists()):
        say(5, "service catalogue database ready")
        return
    catalogue = load_catalogue()
    if catalogue.problems:
        for problem in catalogue.problems:
            print(f"setup:   {problem}", file=sys.stderr)
        raise SystemExit("setup: the catalogue has problems (python -m bot.catalogue validate)")
    say(5, f"building the service catalogue database ({len(catalogue.services)} services)")
    store = create_store(url)
    try:
        store.replace_all(catalogue.services)
    finally:
        store.close()
    stamp_file.write_text(stamp)


def step_segments() -> None:
    """The knowledge base's texts as the pipeline segments them: the action server searches with
    them and loads no segmenter of its own (bot/catalogue/segmented.py)."""
    from bot.catalogue.segmented import write_table
    from bot.catalogue.tokens import SpacyTokenizer
    from bot.knowledge.lexical import segmented_texts
    from bot.knowledge.model import load

    inputs = [*paths.KNOWLEDGE.glob("*.yml"), paths.SPACY_PIPELINE / ".stamp",
              paths.PROJECT / "bot" / "catalogue" / "tokens.py", paths.PROJECT / "bot" / "catalogue" / "segmented.py",
              paths.PROJECT / "bot" / "knowledge" / "lexical.py"]
    stamp = fingerprint(inputs)
    stamp_file = paths.BUILD / "segments.stamp"
    if stamp_file.exists() and stamp_file.read_text() == stamp and paths.SEGMENTS.exists():
        say(5, "segmented knowledge texts ready")
        return
    count = write_table(paths.SEGMENTS, segmented_texts(load()), SpacyTokenizer(paths.SPACY_PIPELINE))
    say(5, f"segmented the knowledge base's {count} texts for search ({paths.SEGMENTS.relative_to(paths.PROJECT)})")
    stamp_file.write_text(stamp)


def step_widget(with_browser: bool) -> None:
    """rasa-webchat from npm for the widget page; for the tests also Debian's chromium."""
    from bot.web.assets import ensure_node_modules, node_modules_ready

    if node_modules_ready():
        say(6, "web widget assets ready (node_modules: rasa-webchat 1.0.1)")
    else:
        say(6, "installing the web widget (rasa-webchat 1.0.1, npm ci)")
        ensure_node_modules()
    if with_browser:
        from tools.browser import ensure_chromium

        ensure_chromium()


def step_train(force: bool = False) -> Path:
    model = model_path()
    cached = paths.CACHE / "models" / model.name
    if model.exists() and not force:
        say(7, f"trained model ready ({model.relative_to(paths.PROJECT)})")
        return model
    if cached.exists() and not force:
        say(7, f"trained model found in the cache for these data ({model.name})")
        paths.MODELS.mkdir(exist_ok=True)
        shutil.copyfile(cached, model)
        return model
    say(7, "training the Rasa model: data, domain or config changed (progress bars follow)")
    forget_stale_rasa_cache()
    started = time.monotonic()
    command = [sys.executable, "-m", "rasa", "train", "--config", str(paths.CONFIG),
               "--domain", str(paths.DOMAIN), "--data", *map(str, paths.TRAINING_DATA), "--out", str(paths.MODELS),
               "--fixed-model-name", model.name.removesuffix(".tar.gz")]
    subprocess.run(command, cwd=paths.PROJECT, check=True, env=quiet_env(training=True))
    seconds = time.monotonic() - started
    print(f"setup:   trained in {seconds:.0f} s", flush=True)
    record_training_time(seconds, model)
    cached.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(model, cached)
    return model


def forget_stale_rasa_cache() -> None:
    """Rasa's training cache keys SpacyNLP on its config (the path), not on the pipeline's content:
    after the dictionary, the pkuseg model or our NLP code changed it would reuse stale
    tokenization. Drop the cache then; otherwise keep it (it makes small changes train fast)."""
    cache = paths.PROJECT / ".rasa" / "cache"
    nlp_stamp = fingerprint([paths.SPACY_PIPELINE / ".stamp", *(paths.PROJECT / "bot" / "nlp").glob("*.py")])
    stamp_file = paths.PROJECT / ".rasa" / "nlp.stamp"
    if stamp_file.exists() and stamp_file.read_text() == nlp_stamp:
        return
    if cache.exists():
        print("setup:   the Chinese NLP changed: clearing Rasa's training cache", flush=True)
        shutil.rmtree(cache)
    stamp_file.parent.mkdir(exist_ok=True)
    stamp_file.write_text(nlp_stamp)


def record_training_time(seconds: float, model: Path) -> None:
    """Every training writes its duration to docs/benchmarks.md (training is a cost users pay)."""
    import datetime as dt

    import yaml

    from tools.bench.report import write_section

    examples = 0
    for path in (*paths.NLU.glob("*.yml"), paths.GENERATED_KNOWLEDGE):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if "intent" in block:
                examples += len([line for line in block["examples"].splitlines() if line.strip()])
    write_section("Last training run (written by python -m tools.setup)",
                  f"{seconds:.0f} s for {examples} NLU examples, "
                  f"{dt.date.today().isoformat()}, model {model.name}, {os.cpu_count()} cores "
                  f"(config.yml: DIET 1 layer of 128 without BILOU, ResponseSelector; RulePolicy and "
                  f"MemoizationPolicy). Rasa reuses unchanged components from .rasa/cache: the run is a "
                  f"full training when NLU data or the pipeline changed, and well under a minute "
                  f"when only rules or the domain did.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force-train", action="store_true", help="train even if a model fits")
    parser.add_argument("--print-model", action="store_true", help="print the model path and exit")
    parser.add_argument("--with-browser", action="store_true",
                        help="also install Debian's chromium for the browser tests")
    parser.add_argument("--with-nginx", action="store_true",
                        help="also install Debian's nginx for the cluster (make run-cluster, the tests)")
    args = parser.parse_args(argv)
    os.chdir(paths.PROJECT)
    if args.print_model:
        print(model_path())
        return 0
    # build/ holds the conversations, the staff records and the secrets: its owner's only.
    private_dir(paths.BUILD)
    step_generate()
    step_pkuseg()
    step_spacy()
    step_annotate()
    step_catalogue()
    step_segments()
    step_widget(args.with_browser)
    if args.with_nginx:
        from tools.cluster.nginx import ensure_nginx

        ensure_nginx()
    step_train(force=args.force_train)
    return 0


if __name__ == "__main__":
    sys.exit(main())

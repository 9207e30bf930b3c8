"""Building a candidate release from the editors' sources (see bot/publish/plan.py for which kind).

The candidate is built in a staging folder beside the releases and renamed into place when whole:
1. the sources are copied (the release's snapshot; editors may go on editing meanwhile);
2. its spaCy pipeline: the parent's (hard links) when the model keeps its tokenizer, else built
   from the set-up's pruned pkuseg model and the snapshot's district dictionary;
3. its Rasa data, generated from the snapshot as `python -m tools.setup` does for build/data
   (bot/training_data.py), the entities marked along that pipeline's tokens;
4. its catalogue database, indexed with that pipeline's segmentation, and the knowledge base's
   texts segmented with it (segments.json: the action server segments nothing itself);
5. its model: the parent's (catalogue only), `rasa train --finetune` on the parent's model, or a
   full `rasa train`. Rasa reads the pipeline as config.yml names it, `build/spacy-zh`, relative to
   its working folder: training runs in a scratch folder whose `build/spacy-zh` is the candidate's
   pipeline, so the configuration stays the one fine-tuning requires. Rasa's training cache is
   kept per pipeline (it keys SpacyNLP on the configured path, not the content).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable
from pathlib import Path

from bot import paths
from bot.model import fingerprint, quiet_env
from bot.publish.plan import Inputs, Plan
from bot.publish.rehearsal import new_questions, write_rehearsal
from bot.publish.releases import (
    ADOPTED,
    CATALOGUE,
    FINETUNE,
    FULL,
    SEGMENTS,
    Manifest,
    Release,
    Releases,
    copy_tree,
    link_or_copy,
    new_id,
    now_text,
)

# Fine-tuning runs this share of config.yml's epochs (rasa train --epoch-fraction): the candidate
# starts from the live model's weights, and a few new examples need far fewer passes.
EPOCH_FRACTION = 0.25
Progress = Callable[[str, float | None], None]  # (line of log, share of the step done or None)
_EPOCHS = re.compile(r"Epochs:\s+(\d+)%")
# Libraries' deprecation chatter: kept in the log file, not shown on the publish page.
_NOISE = re.compile(r"Warning|^\s|More info at|^\x1b|warnings\.warn")


class BuildFailed(RuntimeError):
    """A step of the build failed; the message says which, in Chinese, and the log has the rest."""


def generate_data(sources: Path, target: Path, pipeline: Path, article: Path = paths.SEED_ARTICLE) -> None:
    """build/data's files for `sources` as the set-up generates them (bot/training_data.py), the
    entities marked as the candidate's `pipeline` segments the questions."""
    from bot.training_data import rasa_data

    target.mkdir(parents=True, exist_ok=True)
    for name, text in rasa_data(sources, article, pipeline).items():
        (target / name).write_text(text, encoding="utf-8")


def build_pipeline(sources: Path, target: Path, article: Path = paths.SEED_ARTICLE) -> None:
    """A spaCy pipeline: the set-up's pruned pkuseg model with the district dictionary of `sources`."""
    from bot.nlp import pipeline
    from bot.nlp.dictionary import user_dict_text
    from bot.training_data import district_words

    if not (paths.PKUSEG_MODEL / ".stamp").exists():
        raise BuildFailed("没有找到分词模型（build/pkuseg/default），请先运行 make setup。")
    dictionary = target.with_name("district-dict.txt")
    dictionary.write_text(user_dict_text(district_words(sources, article)), encoding="utf-8")
    pipeline.build(paths.PKUSEG_MODEL, dictionary, target)
    (target / ".stamp").write_text(fingerprint([dictionary, paths.PKUSEG_MODEL / ".stamp"]), encoding="utf-8")


def build_catalogue(sources: Path, pipeline: Path, target: Path) -> int:
    """The catalogue database at `target`, segmented with `pipeline`; the number of services."""
    from bot.catalogue.files import load_services
    from bot.catalogue.store import create_store
    from bot.catalogue.tokens import SpacyTokenizer

    services = load_services(sources / "catalogue")
    store = create_store(f"sqlite:///{target}", tokenize=SpacyTokenizer(pipeline))
    try:
        store.replace_all(services)
    finally:
        store.close()
    return len(services)


def build_segments(sources: Path, pipeline: Path, target: Path, article: Path = paths.SEED_ARTICLE) -> int:
    """The knowledge base's texts of `sources` as `pipeline` segments them, for the action server's
    search (bot/catalogue/segmented.py); the number of texts."""
    from bot.catalogue.segmented import write_table
    from bot.catalogue.tokens import SpacyTokenizer
    from bot.knowledge.lexical import segmented_texts
    from bot.knowledge.model import load

    return write_table(target, segmented_texts(load(sources / "knowledge", article)), SpacyTokenizer(pipeline))


def model_id(model: Path) -> str:
    """The model's id (Rasa's /status reports it), read from the archive's metadata."""
    with tarfile.open(model, "r:gz") as archive:
        for member in archive:
            if member.name == "metadata.json":
                return json.load(archive.extractfile(member))["model_id"]
    raise BuildFailed(f"{model} 中没有 metadata.json")


def train(staging: Path, data: Path, base: Path | None, log: Path, progress: Progress,
          epoch_fraction: float = EPOCH_FRACTION, new: set[str] | None = None) -> Path:
    """`rasa train` (fine-tuning `base` when given) with the candidate's pipeline and data. A
    fine-tuning trains on the questions `new` and a rehearsal of the others (bot/publish/rehearsal.py)."""
    work = staging / "work"
    (work / "build").mkdir(parents=True, exist_ok=True)
    (work / "build" / "spacy-zh").symlink_to(staging / "spacy-zh")
    stamp = (staging / "spacy-zh" / ".stamp").read_text(encoding="utf-8").strip()
    cache = paths.BUILD / "releases-cache" / stamp
    training_data = [*map(str, paths.RASA_DATA), str(data)]
    if base is not None:
        nlu = work / "rehearsal" / "nlu.yml"
        examples, fresh = write_rehearsal(data, new or set(), nlu)
        progress(f"增量训练数据：{examples} 个问法，其中新增 {fresh} 个", None)
        training_data = [str(folder) for folder in paths.RASA_DATA if folder != paths.NLU] + [str(nlu)]
    command = [sys.executable, "-m", "rasa", "train", "--config", str(paths.CONFIG), "--domain", str(paths.DOMAIN),
               "--data", *training_data, "--out", str(staging), "--fixed-model-name", "model"]
    if base is not None:  # the data were validated when the base was trained; only questions were added
        command += ["--finetune", str(base), "--epoch-fraction", str(epoch_fraction), "--skip-validation"]
    env = quiet_env(training=True) | {"PYTHONPATH": str(paths.PROJECT), "RASA_CACHE_DIRECTORY": str(cache)}
    with log.open("a", encoding="utf-8", buffering=1) as out:
        out.write(f"$ {' '.join(command)}\n")
        out.flush()
        process = subprocess.Popen(command, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, errors="replace", bufsize=1)
        assert process.stdout is not None
        for line in _lines(process.stdout):
            out.write(line + "\n")
            if _NOISE.search(line):
                continue
            match = _EPOCHS.search(line)
            progress(line, int(match.group(1)) / 100 if match else None)
        code = process.wait()
    shutil.rmtree(work, ignore_errors=True)
    model = staging / "model.tar.gz"
    if code != 0 or not model.exists():
        raise BuildFailed(f"训练失败（rasa train 退出码 {code}），详情见日志。")
    return model


def _lines(stream):
    """Lines of a child's output, progress bars' carriage returns counted as line ends."""
    buffer = ""
    while chunk := stream.read(256):
        buffer += chunk
        *complete, buffer = re.split(r"[\r\n]", buffer)
        yield from (line for line in complete if line.strip())
    if buffer.strip():
        yield buffer


def candidate(releases: Releases, sources: Path, plan: Plan, inputs: Inputs, log: Path,
              progress: Callable[[str, str, float | None], None]) -> Release:
    """Build the release `plan` asks for from `sources`; `progress(step, line, share)`."""
    live = releases.live
    if plan.kind in (CATALOGUE, FINETUNE) and live is None:
        raise BuildFailed("没有线上版本，无法只重建目录或增量训练。")
    release_id = new_id()
    staging = releases.staging(release_id)
    try:
        progress("build", "复制数据源", None)
        shutil.copytree(sources, staging / "sources", ignore=shutil.ignore_patterns(".*"))
        if plan.kind == FULL:
            progress("build", "生成分词词典与 spaCy 管道", None)
            build_pipeline(staging / "sources", staging / "spacy-zh")
        else:
            copy_tree(live.pipeline, staging / "spacy-zh")
        progress("build", "生成训练数据（按该管道的分词标注实体）", None)
        generate_data(staging / "sources", staging / "data", staging / "spacy-zh")
        progress("build", "重建服务目录数据库", None)
        count = build_catalogue(staging / "sources", staging / "spacy-zh", staging / "catalogue.db")
        build_segments(staging / "sources", staging / "spacy-zh", staging / SEGMENTS)
        progress("build", f"服务目录：{count} 个事项", 1.0)
        started = time.monotonic()
        if plan.kind == CATALOGUE:
            link_or_copy(live.model, staging / "model.tar.gz")
        else:
            def trained(line: str, share: float | None) -> None:
                progress("train", line, share)

            if plan.kind == FINETUNE:
                train(staging, staging / "data", live.model, log, trained,
                      new=new_questions(live.sources, staging / "sources"))
            else:
                train(staging, staging / "data", None, log, trained)
            progress("train", f"训练完成，用时 {time.monotonic() - started:.0f} 秒", 1.0)
        manifest = Manifest(id=release_id, kind=plan.kind or CATALOGUE, created=now_text(),
                            parent=live.id if live else None, model_id=model_id(staging / "model.tar.gz"),
                            digests=inputs.digests, labels=inputs.labels, notes=plan.notes)
        return releases.complete(staging, manifest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def adopt(releases: Releases, sources: Path, model: Path, pipeline: Path = paths.SPACY_PIPELINE,
          generated: Path = paths.GENERATED_DATA) -> Release:
    """Release the model the set-up trained (`make setup`) as it is: the first release, made once
    when a deployment starts publishing. Its sources are known only when they still generate the
    data the model was trained from; otherwise the next publish trains in full."""
    from bot.publish.plan import UNKNOWN

    if not model.is_file():
        raise BuildFailed(f"没有找到已训练的模型 {model}，请先运行 make setup。")
    release_id = new_id()
    staging = releases.staging(release_id)
    try:
        shutil.copytree(sources, staging / "sources", ignore=shutil.ignore_patterns(".*"))
        copy_tree(pipeline, staging / "spacy-zh")
        generate_data(staging / "sources", staging / "data", staging / "spacy-zh")
        inputs = Inputs.of(staging / "sources")
        matches = all((generated / data.name).is_file()
                      and (generated / data.name).read_text(encoding="utf-8") == data.read_text(encoding="utf-8")
                      for data in (staging / "data").iterdir())
        digests = inputs.digests if matches else dict.fromkeys(inputs.digests, UNKNOWN)
        build_catalogue(staging / "sources", staging / "spacy-zh", staging / "catalogue.db")
        build_segments(staging / "sources", staging / "spacy-zh", staging / SEGMENTS)
        link_or_copy(model, staging / "model.tar.gz")
        notes = [f"接管 {model.name}", *([] if matches else ["来源数据与模型不一致，下次发布将完整训练。"])]
        manifest = Manifest(id=release_id, kind=ADOPTED, created=now_text(), model_id=model_id(model),
                            digests=digests, labels=inputs.labels, notes=notes)
        return releases.complete(staging, manifest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise

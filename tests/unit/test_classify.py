"""The classifier: accuracy on unseen project-style names, robustness, determinism."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.categories import (
    CategoryFileError,
    default_categories,
    load_user_words,
    parse_categories,
)
from core.classify import Classifier
from core.evaluation import Evaluation
from core.learn import Correction, propose

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def classifier(tmp_path_factory: pytest.TempPathFactory) -> Classifier:
    return Classifier(
        default_categories(), user_words=load_user_words(), cache_dir=tmp_path_factory.mktemp("jieba")
    )


def test_ten_categories_with_keywords() -> None:
    categories = default_categories()
    assert [c.code for c in categories] == [
        "education",
        "eldercare",
        "health",
        "transport",
        "environment",
        "labour",
        "housing",
        "culture",
        "safety",
        "services",
    ]
    assert all(len(c.keywords) >= 50 for c in categories)
    assert (
        default_categories()[9].name("zh_CN") == "便民服务"
        and default_categories()[9].name("en") == "Everyday services"
    )


def test_bad_category_files() -> None:
    with pytest.raises(CategoryFileError):
        parse_categories({})
    with pytest.raises(CategoryFileError, match="unique"):
        parse_categories(
            {"category": [{"code": "a", "zh": "甲", "en": "A"}, {"code": "a", "zh": "乙", "en": "B"}]}
        )
    with pytest.raises(CategoryFileError, match="strong must be a list"):
        parse_categories({"category": [{"code": "a", "zh": "甲", "en": "A", "strong": "学校"}]})


def test_project_style_names_it_never_saw(classifier: Classifier) -> None:
    """Official project names and other wording than the development set's complaints."""
    lines = (DATA / "project_names.tsv").read_text(encoding="utf-8").splitlines()[1:]
    evaluation = Evaluation()
    for line in lines:
        text, label = line.split("\t")
        result = classifier.classify(text)
        evaluation.add(label, result.ranked, result.category)
    assert evaluation.top1 / evaluation.total >= 0.9
    assert evaluation.top2 / evaluation.total >= 0.95


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("我们小区门口的路灯坏了好几个月，晚上老人出门很不安全", "services"),
        ("這個小區的電梯經常故障，請儘快維修", "safety"),  # traditional characters
        ("ＡＢＣ路口的红绿灯时间太短，过马路来不及", "transport"),  # full-width letters
        ("😡😡 楼下烧烤店油烟太大，晚上噪音扰民！！！", "environment"),
        ("老旧小区加装电梯，希望政府补贴", "housing"),
        ("公司拖欠工资三个月了", "labour"),
        ("社区医院看病排队太久", "health"),
        ("希望建一个社区图书馆", "culture"),
        ("The school gate is unsafe for students", "education"),
    ],
)
def test_everyday_suggestions(classifier: Classifier, text: str, category: str) -> None:
    result = classifier.classify(text)
    assert result.ranked[0] == category
    assert result.keywords


def test_no_keywords_means_unsure(classifier: Classifier) -> None:
    result = classifier.classify("你好，请问一下")
    assert result.category is None and result.confidence == 0.0 and result.keywords == ()


@given(st.text(max_size=300))
@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_unicode_gets_a_well_formed_deterministic_answer(classifier: Classifier, text: str) -> None:
    result = classifier.classify(text)
    assert 0.0 <= result.confidence <= 1.0
    assert result.category is None or result.category == result.ranked[0]
    assert sorted(result.ranked) == sorted(c.code for c in classifier.categories)
    scores = [score for _code, score in result.alternatives]
    assert scores == sorted(scores, reverse=True)
    assert classifier.classify(text) == result


def test_words_match_whole(classifier: Classifier) -> None:
    """A keyword inside a longer lexicon word does not count; English words need word boundaries."""
    assert classifier.matched_keywords("这样做的目的士气大振") == set()  # 目的 holds 的士
    assert classifier.matched_keywords("business plan") == set()  # "bus" inside "business"
    assert classifier.matched_keywords("the bus is late") == {"bus"}
    assert classifier.matched_keywords("街燈壞咗") == {"路灯"}  # regional, traditional: as 路灯


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # issue 16: regional words, programme vocabulary, generic words, context over one word
        ("小区门口的街灯坏了", "services"),
        ("屋苑門口嘅街燈壞咗", "services"),
        ("城市内涝治理工程", "services"),
        ("老房子没有电梯，八十岁的老人住六楼，盼着能加装一部", "housing"),
        ("电梯加装后楼上老人终于能下楼了", "housing"),
        ("适龄女性两癌筛查", "health"),
        ("学生近视防控", "health"),
        ("校外培训机构监管", "education"),
    ],
)
def test_issue_16_inputs(classifier: Classifier, text: str, category: str) -> None:
    result = classifier.classify(text)
    assert result.category == category, result
    assert result.keywords


def test_the_whole_text_decides_not_one_word(classifier: Classifier) -> None:
    """A landmark names a place, a compound keyword still feeds the context rules."""
    # 学校 followed by a locative is where the rubbish is, not what the text is about.
    near = classifier.classify("学校附近的垃圾站很久没人清理，臭味很大")
    inside = classifier.classify("学校的垃圾站很久没人清理，臭味很大")
    assert near.ranked[0] == inside.ranked[0] == "environment"
    assert dict(near.alternatives)["education"] < dict(inside.alternatives)["education"] / 2
    # 电梯故障 is one keyword, and holds 电梯 + 故障 for the rule: a breakdown, not the estate.
    broken = classifier.classify("电梯故障频发物业不管")
    assert broken.ranked[0] == "safety" and "电梯+故障" in broken.keywords
    # Equal evidence: the phrase's head (named last) wins, not the category listed first.
    pipes = classifier.classify("生活污水管网改造")
    assert pipes.alternatives[0][1] == pipes.alternatives[1][1] and pipes.ranked[0] == "services"
    assert pipes.category is None  # a tie is never a sure answer


def test_morphemes_back_off_when_no_keyword_matches(classifier: Classifier) -> None:
    """No keyword: distinctive characters of the keywords decide, and are shown as the reason."""
    assert not classifier.matched_keywords("残障人士") and not classifier.matched_keywords("雨后积涝")
    disabled = classifier.classify("残障人士")
    assert disabled.ranked[0] == "eldercare" and "残" in disabled.keywords
    flooding = classifier.classify("雨后积涝")
    assert flooding.ranked[0] == "services" and "涝" in flooding.keywords
    # Low weights: a morpheme alone is a hint for the ranking, rarely a sure answer.
    assert disabled.alternatives[0][1] < 1.0


# Characters that mark sentence material rather than a term: function words, pronouns, particles.
_SENTENCE_MATERIAL = set("了吗呢吧啊呀嘛我你他她们很都也哪么")


def test_every_keyword_names_a_domain_concept_with_its_source() -> None:
    """Keywords come from sourced blocks of domain vocabulary, never from the dev sentences.

    Every keyword belongs to a [[category.block]] whose source is one of the kinds the file's
    header describes; and a keyword that occurs in a development-set sentence must look like a
    term of the domain (short, no digits or punctuation of a sentence, no function words), i.e.
    it cannot be a fragment cut out of the sentence.
    """
    import tomllib

    from core.categories import CATEGORIES_FILE

    text = CATEGORIES_FILE.read_text(encoding="utf-8")
    header = text.split("[[category]]", 1)[0]
    kinds = {"scope", "domain"}
    assert all(f"# - {kind}:" in header for kind in [*kinds, "regional", "neutral", "context"])
    data = tomllib.loads(text)
    for block in [*data.get("regional", []), *data.get("neutral", []), *data.get("context", [])]:
        assert block.get("source", "").split(":", 1)[0] in {"regional", "neutral", "context"}
    sentences = [
        line.split("\t", 1)[0]
        for name in ("suggestions_dev.tsv", "suggestions_more_dev.tsv")
        for line in (DATA / name).read_text(encoding="utf-8").splitlines()[1:]
    ]
    corpus = "\n".join(sentences).lower()
    for category in default_categories():
        for keyword, _weight in category.keywords.items():
            source = category.sources.get(keyword, "")
            assert source.split(":", 1)[0] in kinds, f"{category.code}: {keyword} has no sourced block"
            if keyword in corpus:
                assert len(keyword) <= 8, f"{keyword}: a phrase, not a term"
                assert not set(keyword) & _SENTENCE_MATERIAL, f"{keyword}: sentence material"
                assert not keyword.endswith("的"), f"{keyword}: sentence material"
                assert not any(c in keyword for c in '，。、！？,.!?：:“”"（）() '), keyword
                assert keyword.isascii() or not any(c.isdigit() for c in keyword), keyword


def test_learning_proposes_reviewable_changes(classifier: Classifier) -> None:
    corrections = [
        Correction("小区快递驿站乱堆包裹", "housing", "services"),
        Correction("驿站包裹丢失没人管", "housing", "services"),
        Correction("小区业主群里有人推销", "housing", "safety"),
        Correction("小区业主被骗", "housing", "safety"),
    ]
    proposals = propose(classifier, corrections)
    assert any(p.kind == "add" and p.word == "驿站" and p.category == "services" for p in proposals)
    assert any(p.kind == "lower" and p.word == "小区" and p.category == "housing" for p in proposals)
    assert all(p.support >= 2 for p in proposals)


def test_evaluation_figures() -> None:
    evaluation = Evaluation()
    evaluation.add("a", ["a", "b"], "a")
    evaluation.add("b", ["a", "b"], None)
    evaluation.add("b", ["c", "a"], "c")
    assert (evaluation.total, evaluation.top1, evaluation.top2, evaluation.sure) == (3, 1, 2, 2)
    figures = {f.code: f for f in evaluation.per_category(["a", "b", "c"])}
    assert figures["a"].precision == 0.5 and figures["a"].recall == 1.0
    assert figures["b"].recall == 0.0
    report = evaluation.report(["a", "b", "c"])
    assert "top-1 accuracy: 33.3% (1/3)" in report and "top-2 accuracy: 66.7% (2/3)" in report


def test_source_groups_and_folds() -> None:
    from core.evaluation import grouped_folds, source_group

    assert source_group("https://www.X.gov.cn/a/1.html") == "www.x.gov.cn"
    assert source_group("github:o/r:sheet.xlsx#编号=3") == "github:o/r:sheet.xlsx"
    groups = ["a"] * 5 + ["b"] * 3 + ["c"] * 2 + ["d"] * 2
    folds = grouped_folds(groups, 3)
    by_group = {group: {f for g, f in zip(groups, folds, strict=True) if g == group} for group in "abcd"}
    assert all(len(f) == 1 for f in by_group.values())  # a source never spans two folds
    assert len(set(folds)) == 3
    assert grouped_folds(["x", "y", "x"], 5) == [0, 1, 0]  # fewer sources: leave one source out


def test_threshold_is_learned_on_other_sources_only() -> None:
    from core.evaluation import Scored, by_source, learn_threshold

    # Right answers are confident, wrong ones are not: the threshold goes between them.
    scored = [(0.9, True)] * 18 + [(0.2, False)] * 2
    assert learn_threshold(scored) == 0.9
    # It may not ask back more than a tenth: at most 2 of 20 unsure.
    assert learn_threshold([(0.9, True)] * 16 + [(0.2, False)] * 4) == 0.0
    # A held-out source whose confident answers are wrong shows it (nothing learned from it).
    rows = [Scored("a", ("a", "b"), 0.9, "s", "one") for _ in range(9)]
    rows += [Scored("a", ("b", "a"), 0.3, "s", "one")]
    rows += [Scored("a", ("b", "a"), 0.9, "t", "two") for _ in range(5)]
    figures = by_source(rows)
    assert len(figures.folds) == 2
    held_two = next(e for groups, _t, e, _v in figures.folds if groups == ["two"])
    assert held_two.sure == 5 and held_two.sure_correct == 0 and held_two.top2 == 5
    assert figures.styles["t"].total == 5 and figures.overall.total == 15
    assert "precision-when-sure" in figures.report()


def test_weights_are_chosen_on_other_sources_only() -> None:
    """A setting of the learned weights (title boost, decay) is chosen per fold on the other
    sources: a variant that is right only on the held-out source is not chosen for it."""
    from core.evaluation import Scored, by_source

    def rows(right_on: set[str]) -> list[Scored]:
        out = []
        for group in ("one", "two", "three"):
            ranked = ("a", "b") if group in right_on else ("b", "a")
            out += [Scored("a", ranked, 0.9, "s", group) for _ in range(4)]
        return out

    # "fits-two" is right only on source two, "general" on one and three.
    figures = by_source(rows(set()), variants={"general": rows({"one", "three"}), "fits-two": rows({"two"})})
    chosen = {groups[0]: variant for groups, _t, _e, variant in figures.folds}
    assert chosen == {"one": "general", "two": "general", "three": "general"}
    held_two = next(e for groups, _t, e, _v in figures.folds if groups == ["two"])
    assert held_two.top1 == 0  # what fitted source two is not credited to it
    assert "general" in figures.report()


def test_a_context_rule_takes_its_words_evidence() -> None:
    """教师 with 工资 is serving teachers' pay (CATEGORIES.md → education): 工资 then counts for
    education, not for labour, however strong it is alone; the rule is listed as deciding."""
    classifier = Classifier(default_categories())
    alone = classifier.classify("拖欠工资")
    assert alone.ranked[0] == "labour"
    together = classifier.classify("拖欠工资。本县教师反映")
    assert together.ranked[0] == "education"
    assert dict(together.alternatives)["labour"] < dict(alone.alternatives)["labour"]
    assert "教师+工资" in together.keywords and "拖欠工资" in together.keywords


def test_a_school_canteens_prices_are_education() -> None:
    """CATEGORIES.md: a school canteen's prices → education, though prices alone are services and
    food near a school is safety."""
    classifier = Classifier(default_categories())
    assert classifier.classify("物价上涨").ranked[0] == "services"
    assert classifier.classify("学校食堂物价提高，饭菜越来越贵").category == "education"


def test_title_boost_and_decay_change_the_scores() -> None:
    """The learned weights are the classifier's: the first sentence counts title_boost times, and
    the k-th keyword of a category decay**(k-1) times."""
    base = Classifier(default_categories(), title_boost=1.0, decay=1.0)
    boosted = Classifier(default_categories(), title_boost=3.0, decay=1.0)
    text = "路灯坏了。学校门前"
    assert dict(boosted.classify(text).alternatives)["services"] == pytest.approx(
        3 * dict(base.classify(text).alternatives)["services"]
    )
    many = "学校 教师 学生 学费"
    decayed = Classifier(default_categories(), title_boost=1.0, decay=0.5)
    assert (
        dict(decayed.classify(many).alternatives)["education"]
        < dict(base.classify(many).alternatives)["education"]
    )


# Regression floors on the two development files by held-out source, at the figures measured
# when they were set (issue 16; title boost, decay and threshold learned in the folds; the
# classifier is deterministic): dev top-1 0.884, top-2 0.965, unsure 0.087, precision 0.922;
# more_dev 0.935, 0.991, 0.019, 0.943. Hidden sets judge generalisation; these catch a change
# that breaks what was reached.
_FLOORS = {
    "suggestions_dev.tsv": {"top-1": 0.88, "top-2": 0.96, "unsure": 0.095, "precision-when-sure": 0.92},
    "suggestions_more_dev.tsv": {"top-1": 0.93, "top-2": 0.985, "unsure": 0.05, "precision-when-sure": 0.94},
}


@pytest.mark.parametrize("name", sorted(_FLOORS))
def test_by_source_figures_printed_for_ci(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """CI runs `python -m bot classify --eval FILE --by-source` on both files and prints the figures."""
    import re
    import subprocess
    import sys

    root = DATA.parent.parent
    run = subprocess.run(
        [sys.executable, "-m", "bot", "classify", "--eval", str(DATA / name), "--by-source"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    figures_text = run.stdout[run.stdout.index("by held-out source") :]
    with capsys.disabled():
        print(f"\n--- classify --eval {name} --by-source ---\n{figures_text}")
    overall = next(line for line in figures_text.splitlines() if line.startswith("overall"))
    figures = {key: float(value) for key, value in re.findall(r"([a-z0-9-]+) ([01]\.\d+)", overall)}
    floors = _FLOORS[name]
    assert figures["top-1"] >= floors["top-1"], overall
    assert figures["top-2"] >= floors["top-2"], overall
    assert figures["unsure"] <= floors["unsure"], overall
    assert figures["precision-when-sure"] >= floors["precision-when-sure"], overall

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


def test_segmentation_is_jiebas_own(classifier: Classifier) -> None:
    """The memoised route search must cut exactly as jieba does."""
    import jieba

    reference = jieba.Tokenizer()
    reference.initialize()
    for word in classifier._index:
        reference.add_word(word, freq=2000 * max(1, len(word)))
    for word in load_user_words():
        reference.add_word(word, freq=2000 * max(1, len(word)))
    for line in (DATA / "project_names.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        text = classifier.normalize(line.split("\t")[0])
        assert classifier._tokenizer.lcut(text, HMM=False) == reference.lcut(text, HMM=False)


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
    held_two = next(e for groups, _t, e in figures.folds if groups == ["two"])
    assert held_two.sure == 5 and held_two.sure_correct == 0 and held_two.top2 == 5
    assert figures.styles["t"].total == 5 and figures.overall.total == 15
    assert "precision-when-sure" in figures.report()

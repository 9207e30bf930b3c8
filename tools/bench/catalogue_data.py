"""Synthetic catalogues and search queries for measuring and checking catalogue search.

A real district catalogue holds 1,500–3,000 services; ours has 61. The synthetic services are the
real ones varied (a numbered 示例事项 prefix and a variant such as 变更 or 注销 in the name, the
aliases numbered, the guide's prose kept), so that they share words with each other the way a real
catalogue's items do. Each one says it is synthetic: code SYN-…, source 示例数据（合成…）, every fact
flagged sample. They are only ever written to a temporary folder, never to data/.
"""

from __future__ import annotations

import dataclasses
import itertools

from bot.catalogue.schema import FACT_FIELDS, Service, service_problems

SYNTHETIC_SOURCE = "示例数据（合成的基准测试事项，不是真实事项）"
VARIANTS = ("新办", "变更", "延续", "注销", "补领", "个人", "单位", "线上预约", "窗口受理", "跨省通办")
QUESTION_ENDINGS = ("怎么办理", "要带什么材料", "在哪里办", "多久能办好", "能网上办吗", "收费吗")
EXTRA_QUERIES = (
    "人才落户要带哪些材料", "临时救助在哪申请", "孩子上幼儿园", "违建举报", "低保怎么办",
    "家里没人上班咋办", "退伍了怎么安置", "我要注册一家公司", "老旧小区改造啥时候轮到我们",
    "想举报邻居私搭乱建", "图书馆怎么办证", "结婚证怎么领", "人才看病有没有绿色通道",
    "ＳＺ社保卡补办", "想开个小饭馆，卖吃的要办什么证", "市中区", "补贴", "申请", "证明",
    "随便说点什么", "人才落护", "上一年级", "a", "12345", "办", "济南市市中区政务服务中心在哪",
)


def synthetic_catalogue(real: list[Service], size: int) -> list[Service]:
    """The real services, then synthetic ones derived from them in turn, `size` in all."""
    services = list(real[:size])
    for number in range(len(services), size):
        base = real[number % len(real)]
        variant = VARIANTS[(number // len(real)) % len(VARIANTS)]
        mark = f"示例事项{number:04d}"
        service = dataclasses.replace(
            base,
            code=f"SYN-{number:05d}",
            name=f"{mark}{base.name}（{variant}）",
            aliases=tuple(f"{alias}（{mark}）" for alias in base.aliases),
            source=SYNTHETIC_SOURCE,
            sample_fields=frozenset(FACT_FIELDS),
        )
        problems = service_problems(service)
        if problems:
            raise ValueError(f"synthetic service {service.code} breaks the schema: {problems}")
        services.append(service)
    return services


def _prefixes(text: str) -> list[str]:
    return [text[:n] for n in (2, 3) if n < len(text)]


def varied_queries(services: list[Service]) -> list[str]:
    """Queries from the catalogue's own texts: every name and alias, names with a question
    around them, parts of names, material, department and topic words, and a few free questions;
    without repeats, in a fixed order."""
    queries: list[str] = []
    for index, service in enumerate(services):
        queries += service.names()
        ending = QUESTION_ENDINGS[index % len(QUESTION_ENDINGS)]
        queries += [f"{service.name}{ending}", f"请问{service.aliases[0] if service.aliases else service.name}"
                    f"{QUESTION_ENDINGS[(index + 1) % len(QUESTION_ENDINGS)]}"]
        queries += _prefixes(service.name) + [service.name[1:], service.topic, service.department]
        queries += [m.name for m in service.materials[:2]]
        queries += [f"办{m.name}" for m in service.materials[2:3]]
        queries += [condition[:12] for condition in service.conditions[:1]]
    pairs = zip(services, services[7:], strict=False)
    queries += [f"{a.name}和{b.name}" for a, b in itertools.islice(pairs, 0, None, 5)]
    queries += EXTRA_QUERIES
    return list(dict.fromkeys(q for q in queries if q))


def bench_queries(services: list[Service], count: int = 200) -> list[str]:
    """A fixed sample of `varied_queries` (every n-th), the same at every catalogue size."""
    queries = varied_queries(services)
    step = max(1, len(queries) // count)
    return queries[::step][:count]

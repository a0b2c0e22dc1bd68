"""The province's 2017 figures (附件2, domain.md §6), shipped with the application.

豫人社办〔2017〕181号 附件2: the 去产能职工安置 tasks per unit (2016 carry-over,
2017 plan, total), and the province-wide 2017 goals. Units not listed have
no 去产能 task. A unit fills its target from here on request
(``targets set --from-province``, the 目标任务 screen's button); the task a
unit must complete in 2017 is the total (carry-over + plan).
"""

from __future__ import annotations

from dataclasses import dataclass

YEAR = 2017
PROVINCE_CODE = "410000"
OVERCAPACITY_INDICATOR = "去产能职工安置人数"


@dataclass(frozen=True, slots=True)
class OvercapacityTask:
    code: str
    name: str
    carry_over: int  # 2016年结转
    plan: int  # 2017年计划
    total: int  # 合计：2017年应完成


#: 附件2 by unit code, in the notice's order.
OVERCAPACITY_TASKS: dict[str, OvercapacityTask] = {
    t.code: t
    for t in (
        OvercapacityTask("410100", "郑州市", 1471, 7349, 8820),
        OvercapacityTask("411000", "许昌市", 562, 3583, 4145),
        OvercapacityTask("411200", "三门峡市", 208, 3029, 3237),
        OvercapacityTask("410400", "平顶山市", 0, 2494, 2494),
        OvercapacityTask("410300", "洛阳市", 415, 4144, 4559),
        OvercapacityTask("410800", "焦作市", 1068, 2826, 3894),
        OvercapacityTask("410600", "鹤壁市", 365, 689, 1054),
        OvercapacityTask("419001", "济源市", 4, 1927, 1931),
        OvercapacityTask("410181", "巩义市", 1366, 860, 2226),
        OvercapacityTask("410482", "汝州市", 0, 26, 26),
    )
}
#: 附件2's 总计 row.
OVERCAPACITY_TOTAL = OvercapacityTask(PROVINCE_CODE, "总计", 5459, 26927, 32386)

#: The province-wide 2017 goals by indicator name of the weekly table.
PROVINCE_GOALS: dict[str, int] = {
    "城镇新增就业人员": 1_100_000,
    "失业人员再就业人数": 350_000,
    "就业困难人员就业人数": 120_000,
    OVERCAPACITY_INDICATOR: 32_300,
}

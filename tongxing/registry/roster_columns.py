"""The roster's vocabulary: the headers its columns go by and the words its cells use.

The import reads by these tables and the export writes their first entries, so a file we
write is a file we read. Nothing here reads or writes a file.
"""

from tongxing.registry.models import HardshipCause, HouseholdStatus, LabourAbility, Relation, Sex

# Every header the rosters in use are known to carry, in one table. The first name of each
# column is the one our export writes.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "registry_number": ("户编号", "户号", "家庭编号", "户码", "registry_number"),
    "village_code": ("村代码", "村区划代码", "区划代码", "行政区划代码", "village_code"),
    "village": ("所在村", "行政村", "村", "村名", "村名称", "village"),
    "name": ("姓名", "成员姓名", "家庭成员姓名", "name"),
    "relation": ("与户主关系", "与户主的关系", "家庭关系", "关系", "relation"),
    "id_number": ("身份证号", "身份证号码", "证件号码", "公民身份号码", "身份证", "id_number"),
    "head_id_number": ("户主身份证号", "户主身份证号码", "户主证件号码", "head_id_number"),
    "sex": ("性别", "sex"),
    "birth_date": ("出生日期", "出生年月日", "出生年月", "birth_date"),
    "phone": ("联系电话", "手机号", "手机号码", "电话", "phone"),
    "status": ("户类型", "户属性", "贫困户属性", "帮扶对象类型", "状态", "status"),
    "status_since": ("状态起始日期", "识别日期", "纳入日期", "脱贫日期", "status_since"),
    "hardship_causes": ("致贫原因", "主要致贫原因", "致困原因", "hardship_causes"),
    "left_behind_child": ("留守儿童", "是否留守儿童", "left_behind_child"),
    "student": ("在校生", "是否在校生", "在校学生", "student"),
    "disabled": ("残疾", "是否残疾", "disabled"),
    "labour_ability": ("劳动能力", "劳动技能", "labour_ability"),
    "serious_illness": ("大病", "是否大病", "重病", "serious_illness"),
    "elderly_living_alone": ("独居老人", "是否独居老人", "elderly_living_alone"),
}
REQUIRED_COLUMNS = ("name", "relation")

STATUS_WORDS = {
    **{
        w: HouseholdStatus.REGISTERED_POOR
        for w in ("建档立卡户", "贫困户", "困难户", "建档立卡贫困户", "未脱贫")
    },
    **{w: HouseholdStatus.EXITED for w in ("脱贫户", "已脱贫", "已脱贫户", "脱贫不稳定户")},
    **{
        w: HouseholdStatus.UNDER_MONITORING
        for w in ("监测户", "监测对象", "边缘户", "边缘易致贫户", "突发严重困难户")
    },
    **{w: HouseholdStatus.NOT_POOR for w in ("一般户", "非贫困户", "普通户")},
    **{value: value for value in HouseholdStatus.values},
}
RELATION_WORDS = {
    **{w: Relation.HEAD for w in ("户主", "本人", "户主本人")},
    **{w: Relation.SPOUSE for w in ("配偶", "妻", "妻子", "夫", "丈夫")},
    **{
        w: Relation.CHILD
        for w in (
            "子",
            "女",
            "儿子",
            "女儿",
            "之子",
            "之女",
            "长子",
            "次子",
            "长女",
            "次女",
            "子女",
            "养子",
            "养女",
            "儿媳",
            "女婿",
        )
    },
    **{w: Relation.PARENT for w in ("父亲", "母亲", "父母", "公公", "婆婆", "岳父", "岳母")},
    **{
        w: Relation.GRANDCHILD
        for w in ("孙子", "孙女", "外孙子", "外孙女", "孙辈", "之孙", "之孙女")
    },
    **{
        w: Relation.SIBLING
        for w in ("兄弟姐妹", "兄", "弟", "姐", "妹", "哥哥", "弟弟", "姐姐", "妹妹")
    },
    **{w: Relation.OTHER for w in ("其他", "其它", "祖父", "祖母", "侄子", "侄女")},
    **{value: value for value in Relation.values},
}
SEX_WORDS = {
    "男": Sex.MALE,
    "女": Sex.FEMALE,
    "male": Sex.MALE,
    "female": Sex.FEMALE,
    "m": Sex.MALE,
    "f": Sex.FEMALE,
}
CAUSE_WORDS = {
    "因病": HardshipCause.ILLNESS,
    "因残": HardshipCause.DISABILITY,
    "因学": HardshipCause.EDUCATION,
    "因灾": HardshipCause.DISASTER,
    "缺土地": HardshipCause.LACK_OF_LAND,
    "缺水": HardshipCause.LACK_OF_WATER,
    "缺技术": HardshipCause.LACK_OF_SKILLS,
    "缺劳力": HardshipCause.LACK_OF_LABOUR,
    "缺劳动力": HardshipCause.LACK_OF_LABOUR,
    "缺资金": HardshipCause.LACK_OF_FUNDS,
    "交通条件落后": HardshipCause.POOR_TRANSPORT,
    "交通落后": HardshipCause.POOR_TRANSPORT,
    "自身发展动力不足": HardshipCause.LACK_OF_DRIVE,
    "发展动力不足": HardshipCause.LACK_OF_DRIVE,
    "其他": HardshipCause.OTHER,
    **{value: value for value in HardshipCause.values},
}
LABOUR_WORDS = {
    "技能劳动力": LabourAbility.SKILLED,
    "普通劳动力": LabourAbility.ORDINARY,
    "弱劳动力或半劳动力": LabourAbility.WEAK,
    "弱劳动力": LabourAbility.WEAK,
    "半劳动力": LabourAbility.WEAK,
    "丧失劳动力": LabourAbility.LOST,
    "无劳动力": LabourAbility.NONE,
    **{value: value for value in LabourAbility.values},
}


def header(column: str) -> str:
    """Return the header our files write for a column: the first name the import accepts."""
    return COLUMN_ALIASES[column][0]

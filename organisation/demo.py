"""The demo organisation: Jilin province (seed 000), nine city branches, invented people.

Names are invented; seed 000's tables name real people and are never copied.
"""

import importlib
import importlib.util
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction

from .models import Department, Profile, Role
from .services import role_groups_ensure

DEMO_PASSWORD = "fenghuo-demo"

# Invented names, handed out in order.
_NAMES = (
    "林振华 周立新 陈静怡 王浩然 李思远 张雨桐 刘晓峰 杨文博 赵欣然 黄子涵 吴俊杰 徐梦琪 孙鹏飞 "
    "马嘉怡 朱明轩 胡晓雪 郭宇航 何佳琪 高志强 罗雅婷 郑凯文 梁诗涵 谢天宇 宋佳音 唐晨曦 许文静 "
    "韩志远 冯若曦 邓海涛 曹雨萱 彭俊熙 曾晓琳 萧逸凡 田雪莹 董一鸣 潘可欣 袁浩宇 蒋思琪 蔡明哲 "
    "余婉清 杜泽宇 叶心怡 程子轩 魏雨菲 苏志鹏 吕欣妍 丁浩南 任梦瑶 沈嘉豪 姚雨晴 卢俊辉 姜雅琪 "
    "崔博文 钟思彤 谭宇轩 陆诗琪 汪晨阳 范雨彤 金志伟 石佳慧"
).split()

# Departments whose leader sits on the leadership group 领导组 (seed 000 第五条).
LEADERSHIP_DEPARTMENTS = {"GO", "MKT", "NET", "CS"}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    department: str
    roles: tuple[str, ...]


@transaction.atomic
def seed_demo() -> list[DemoLogin]:
    """Load the demo organisation and people, then each later app's demo data (its
    ``demo.seed()``, in the order of INSTALLED_APPS); safe to run again."""
    logins = _seed_people()
    for seed in _app_demos("seed"):
        seed()
    return logins


def seed_records() -> int:
    """Each app's demo records (its ``demo.seed_records()``, in the order of INSTALLED_APPS:
    incidents and complaints first, then what is computed from them); how many were made."""
    return sum(seed() or 0 for seed in _app_demos("seed_records"))


def _app_demos(name: str):
    """The function ``name`` of every later app's ``demo`` module that has one."""
    for config in apps.get_app_configs():
        if config.name != __package__ and importlib.util.find_spec(f"{config.name}.demo"):
            function = getattr(importlib.import_module(f"{config.name}.demo"), name, None)
            if function is not None:
                yield function


def _seed_people() -> list[DemoLogin]:
    call_command("loaddata", "organisation", verbosity=0)
    groups = role_groups_ensure()
    names = iter(_NAMES)
    logins: list[DemoLogin] = []
    serial = iter(range(1, 1000))

    def person(username, department, roles, title, superior=None, *, staff=False, heads=""):
        user, _ = User.objects.get_or_create(username=username)
        user.email = f"{username}@fenghuo.example"
        user.is_staff = staff or Role.ADMIN in roles
        user.is_superuser = Role.ADMIN in roles
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([groups[role] for role in roles])
        full_name = next(names)
        Profile.objects.update_or_create(
            user=user,
            defaults={
                "full_name": full_name,
                "department": department,
                "title": title,
                "mobile": f"1390431{next(serial):04d}",
                "superior": superior,
                "heads": heads,
            },
        )
        logins.append(DemoLogin(username, full_name, department.name_zh, tuple(roles)))
        return user

    departments = {d.code: d for d in Department.objects.all()}
    executive = person(
        "exec",
        departments["EXEC"],
        [Role.LEADERSHIP_GROUP],
        "主管副总经理 / 领导组组长",
        heads=Role.LEADERSHIP_GROUP,
    )
    person(
        "manager",
        departments["CS"],
        [Role.WORKING_GROUP, Role.ASSESSMENT_COMMITTEE],
        "服务质量经理 / 工作组组长",
        executive,
        heads=Role.WORKING_GROUP,
    )
    person("admin", departments["ITC"], [Role.ADMIN], "系统管理员", staff=True)
    for code, department in sorted(departments.items(), key=_provincial_first):
        if code == "EXEC":
            continue
        slug = code.removeprefix("BR-").lower()
        leader_roles = [Role.DEPARTMENT_LEADER]
        if code in LEADERSHIP_DEPARTMENTS:
            leader_roles.append(Role.LEADERSHIP_GROUP)
        leader = person(f"{slug}_leader", department, leader_roles, "部门负责人", executive)
        contact_roles = [Role.INTERFACE_PERSON]
        if code == "CS":  # the CS department publishes alerts for the working group
            contact_roles.append(Role.WORKING_GROUP)
        person(f"{slug}_contact", department, contact_roles, "部门接口人", leader)
        if code == "CSC":
            for number in (1, 2, 3):
                person(f"hotline{number}", department, [Role.HOTLINE_AGENT], "热线坐席", leader)
    return logins


def _provincial_first(item: tuple[str, Department]) -> tuple[bool, str]:
    code, department = item
    return department.kind == "branch", code

"""factory_boy factories; tests/conftest.py registers each as a fixture (pytest-factoryboy)."""

import factory
from django.contrib.auth.models import Group, User

from organisation.models import City, Department, DepartmentKind, Profile
from organisation.services import api_key_create


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"C{n:02d}")
    name_zh = factory.Sequence(lambda n: f"城市{n}")
    name_en = factory.Sequence(lambda n: f"City {n}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name_zh = factory.Sequence(lambda n: f"部门{n}")
    name_en = factory.Sequence(lambda n: f"Department {n}")
    kind = DepartmentKind.NETWORK


class UserFactory(factory.django.DjangoModelFactory):
    """A person with a profile; ``roles=[...]`` puts them in those role groups."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@fenghuo.example")
    password = factory.django.Password("pw-for-tests")

    class Params:
        department = factory.SubFactory(DepartmentFactory)
        full_name = factory.Sequence(lambda n: f"测试员{n}")
        mobile = factory.Sequence(lambda n: f"1380000{n:04d}")
        superior = None

    profile = factory.RelatedFactory(
        "tests.factories.ProfileFactory",
        factory_related_name="user",
        department=factory.SelfAttribute("..department"),
        full_name=factory.SelfAttribute("..full_name"),
        mobile=factory.SelfAttribute("..mobile"),
        superior=factory.SelfAttribute("..superior"),
    )

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*(Group.objects.get_or_create(name=role)[0] for role in extracted))


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory, profile=None)
    full_name = factory.Sequence(lambda n: f"测试员{n}")
    department = factory.SubFactory(DepartmentFactory)


def make_api_key(name: str = "test system", department: Department | None = None):
    """An API key row and its raw key, as `create_api_key` makes them."""
    return api_key_create(name=name, department=department)


def hotline_intake(**overrides) -> dict:
    """What a hotline agent takes down for a complaint (``complaint_create``'s keywords,
    the city from the demo's Changchun), with ``overrides``."""
    return {
        "channel": "hotline",
        "customer_name": "王先生",
        "customer_phone": "13812345678",
        "customer_account": "0431-88886666",
        "city": City.objects.get(code="CC"),
        "address": "长春市朝阳区人民大街 100 号",
        "business_line": "network",
        "summary": "家里 4G 信号差，上网很慢",
        "description": "近三天晚上 4G 上网很慢。",
        **overrides,
    }

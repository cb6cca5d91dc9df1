import pytest

from invlib import bike_shop, bike_shop_mdp


@pytest.fixture(scope="session")
def article_shop():
    return bike_shop()     # C=10, lambda=4, h=8, p=10, gamma=0.9


@pytest.fixture(scope="session")
def article_mdp(article_shop):
    return bike_shop_mdp(article_shop)

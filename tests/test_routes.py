from insightly_sandbox.api import Api, ApiRequest
from insightly_sandbox.routes import match
from insightly_sandbox.store import Store


def test_literal_segments_win_over_parameters():
    assert match("/Contacts/Search")[0].route.template == "/Contacts/Search"
    assert match("/Contacts/12")[0].route.template == "/Contacts/{id}"
    assert match("/Fruit__c/Search")[0].route.template == "/{objectName}/Search"


def test_wrong_names_answer_as_insightly_does():
    api = Api(Store())
    assert api.handle(ApiRequest("GET", "/Products")).status == 405
    assert api.handle(ApiRequest("GET", "/Quote")).status == 405
    assert api.handle(ApiRequest("POST", "/Notes")).status == 405
    assert api.handle(ApiRequest("GET", "/Contacts/1/Nothing/Here")).status == 404

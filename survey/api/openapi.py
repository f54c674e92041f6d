"""The OpenAPI 3.1 description of the read-only API, served at /api/v1/openapi.json."""

from __future__ import annotations

from survey.questions import FACTS as FACTS_BY_TYPE

NULLABLE_NUMBER = {"type": ["number", "null"]}
NULLABLE_STAGE = {"type": ["integer", "null"], "minimum": 1, "maximum": 5}
PILLARS = {
    "type": "object",
    "additionalProperties": {
        "type": "object",
        "required": ["score", "stage"],
        "additionalProperties": False,
        "properties": {"score": NULLABLE_NUMBER, "stage": NULLABLE_STAGE},
    },
}
FACTS = {
    "type": "object",
    "description": "Every fact of the framework (budget, staffing, counts...) by indicator code.",
    "additionalProperties": {"$ref": "#/components/schemas/Fact"},
}
EVIDENCE = {
    "type": "object",
    "description": "Evidence by indicator code; indicators without any are left out.",
    "additionalProperties": {"$ref": "#/components/schemas/IndicatorEvidence"},
}
ACTION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["indicator", "what", "lead_agency", "target_stage", "deadline", "cost", "currency", "funding"],
    "properties": {
        "indicator": {
            "type": ["string", "null"],
            "description": "Code of the indicator (the priority need) the action answers, if any.",
        },
        "what": {"type": "string", "maxLength": 500},
        "lead_agency": {"type": "string", "maxLength": 200},
        "target_stage": {"type": "integer", "minimum": 1, "maximum": 5},
        "deadline": {"type": "string", "format": "date"},
        "cost": {"type": ["number", "null"], "minimum": 0, "description": "Estimated cost, in `currency`."},
        "currency": {"type": ["string", "null"], "pattern": "^[A-Z]{3}$", "description": "ISO 4217 code."},
        "funding": {
            "type": "string",
            "enum": ["state", "donors", "unfunded"],
            "description": "Funded by the state, requested from donors, or unfunded.",
        },
    },
}
RELEASE = {
    "type": "string",
    "enum": ["public", "donors"],
    "description": "Who the country released these results to.",
}


def _error_response(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _ok(schema: str) -> dict:
    return {
        "200": {
            "description": "OK",
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
        },
        "401": _error_response("The bearer token is unknown, revoked or expired."),
        "404": _error_response("No such region, cycle or country."),
    }


def _path_param(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": schema,
        "description": description,
    }


COMPONENTS = {
    "securitySchemes": {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "A token created on the account page (/account/tokens) or with "
            "`flask api-tokens create USERNAME`. "
            "Without it, only public releases are returned.",
        }
    },
    "schemas": {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {"code": {"type": "integer"}, "message": {"type": "string"}},
                }
            },
        },
        "Membership": {
            "type": "object",
            "required": ["country", "joined", "left"],
            "properties": {
                "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
                "joined": {"type": ["string", "null"], "format": "date"},
                "left": {"type": ["string", "null"], "format": "date"},
            },
        },
        "Region": {
            "type": "object",
            "required": ["code", "name", "short_name", "source", "members"],
            "properties": {
                "code": {"type": "string"},
                "name": {"type": "string"},
                "short_name": {"type": "string"},
                "source": {"type": "string", "format": "uri"},
                "members": {"type": "array", "items": {"$ref": "#/components/schemas/Membership"}},
            },
        },
        "RegionList": {
            "type": "object",
            "required": ["regions", "membership_rule"],
            "properties": {
                "membership_rule": {"type": "string"},
                "regions": {"type": "array", "items": {"$ref": "#/components/schemas/Region"}},
            },
        },
        "Fact": {
            "type": "object",
            "additionalProperties": False,
            "required": ["type", "state", "value"],
            "properties": {
                "type": {
                    "type": "string",
                    "enum": sorted(FACTS_BY_TYPE),
                    "description": "The question type, which says what `value` holds.",
                },
                "state": {
                    "type": ["string", "null"],
                    "enum": ["value", "na", "dont_know", None],
                    "description": "value: answered; na: not applicable; dont_know; null: not answered.",
                },
                "value": {
                    "type": ["number", "boolean", "string", "null"],
                    "description": "The amount, count or percentage; true/false; a date (YYYY-MM-DD); "
                    "or the id of the option chosen. Null unless the state is `value`.",
                },
                "currency": {
                    "type": ["string", "null"],
                    "pattern": "^[A-Z]{3}$",
                    "description": "ISO 4217 code of an amount (money facts only).",
                },
                "unit": {
                    "type": ["string", "null"],
                    "description": "What a count counts, e.g. cases (count facts only).",
                },
            },
        },
        "EvidenceFile": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "public", "url"],
            "properties": {
                "name": {"type": "string"},
                "public": {"type": "boolean", "description": "The country marked the file public."},
                "url": {
                    "type": ["string", "null"],
                    "format": "uri",
                    "description": "Download address of a public file of a public release; null otherwise.",
                },
            },
        },
        "IndicatorEvidence": {
            "type": "object",
            "additionalProperties": False,
            "required": ["links", "files"],
            "description": "Public releases list only the files marked public; releases to donors list every "
            "file, by name.",
            "properties": {
                "links": {"type": "array", "items": {"type": "string", "format": "uri"}},
                "files": {"type": "array", "items": {"$ref": "#/components/schemas/EvidenceFile"}},
            },
        },
        "CountryScore": {
            "type": "object",
            "additionalProperties": False,
            "required": [
                "country",
                "release_level",
                "is_demo",
                "overall_score",
                "overall_stage",
                "pillars",
                "facts",
                "evidence",
            ],
            "properties": {
                "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
                "release_level": RELEASE,
                "is_demo": {"type": "boolean"},
                "overall_score": NULLABLE_NUMBER,
                "overall_stage": NULLABLE_STAGE,
                "pillars": PILLARS,
                "facts": FACTS,
                "evidence": EVIDENCE,
            },
        },
        "RegionCycle": {
            "type": "object",
            "additionalProperties": False,
            "required": [
                "region",
                "cycle",
                "framework_version",
                "members",
                "median_overall_score",
                "countries",
            ],
            "properties": {
                "region": {"type": "string"},
                "cycle": {"type": "integer"},
                "framework_version": {"type": "string"},
                "members": {"type": "array", "items": {"type": "string"}},
                "median_overall_score": NULLABLE_NUMBER,
                "countries": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/CountryScore"},
                },
            },
        },
        "CountryAssessment": {
            "type": "object",
            "additionalProperties": False,
            "required": [
                "cycle",
                "framework_version",
                "release_level",
                "is_demo",
                "overall_score",
                "overall_stage",
                "pillars",
                "facts",
                "evidence",
                "actions",
            ],
            "properties": {
                "cycle": {"type": "integer"},
                "framework_version": {"type": "string"},
                "release_level": RELEASE,
                "is_demo": {"type": "boolean"},
                "overall_score": NULLABLE_NUMBER,
                "overall_stage": NULLABLE_STAGE,
                "pillars": PILLARS,
                "facts": FACTS,
                "evidence": EVIDENCE,
                "actions": {
                    "type": "array",
                    "description": "The country's action plan for these results, earliest deadline first.",
                    "items": {"$ref": "#/components/schemas/Action"},
                },
            },
        },
        "Action": ACTION,
        "Project": {
            "type": "object",
            "additionalProperties": False,
            "required": [
                "id",
                "title",
                "implementer",
                "donors",
                "countries",
                "targets",
                "start_date",
                "end_date",
                "budget",
                "currency",
                "status",
                "visibility",
                "link",
                "contact",
                "is_demo",
            ],
            "properties": {
                "id": {"type": "integer"},
                "title": {"type": "string"},
                "implementer": {"type": "string", "description": "The implementing organisation."},
                "donors": {"type": "array", "items": {"type": "string"}, "description": "Funding organisations."},
                "countries": {
                    "type": "array",
                    "description": "Beneficiary countries and what each said about the project.",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["country", "confirmed", "note"],
                        "properties": {
                            "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
                            "confirmed": {"type": "boolean", "description": "Confirmed by the country."},
                            "note": {"type": "string", "description": "The country's note."},
                        },
                    },
                },
                "targets": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Pillar codes (the whole pillar) and indicator codes of the framework.",
                },
                "start_date": {"type": "string", "format": "date"},
                "end_date": {"type": ["string", "null"], "format": "date"},
                "budget": NULLABLE_NUMBER,
                "currency": {"type": ["string", "null"], "pattern": "^[A-Z]{3}$", "description": "ISO 4217 code."},
                "status": {"type": "string", "enum": ["planned", "running", "completed"]},
                "visibility": {"type": "string", "enum": ["public", "donors"]},
                "link": {"type": ["string", "null"], "format": "uri"},
                "contact": {"type": "string"},
                "is_demo": {"type": "boolean"},
            },
        },
        "ProjectList": {
            "type": "object",
            "additionalProperties": False,
            "required": ["projects"],
            "properties": {"projects": {"type": "array", "items": {"$ref": "#/components/schemas/Project"}}},
        },
        "CountryHistory": {
            "type": "object",
            "required": ["country", "assessments"],
            "additionalProperties": False,
            "properties": {
                "country": {"type": "string"},
                "assessments": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/CountryAssessment"},
                },
            },
        },
    },
}


def openapi_document(server_url: str) -> dict:
    """The OpenAPI 3.1 document of /api/v1."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "CyberReady open data API",
            "version": "1.0.0",
            "description": "Read-only released results of national cybercrime readiness assessments. "
            "Without a token: results released to the public. With a donor's token: "
            "also results released to donors.",
        },
        "servers": [{"url": server_url}],
        "security": [{}, {"bearer": []}],
        "paths": {
            "/regions": {
                "get": {
                    "summary": "Regions and their membership periods",
                    "operationId": "listRegions",
                    "responses": _ok("RegionList"),
                }
            },
            "/regions/{code}/{year}": {
                "get": {
                    "summary": "Released scores, facts and evidence of a region's members in a cycle",
                    "operationId": "regionCycle",
                    "parameters": [
                        _path_param("code", {"type": "string"}, "Region code, e.g. ecowas"),
                        _path_param("year", {"type": "integer"}, "Cycle year"),
                        {
                            "name": "version",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer"},
                            "description": "Framework version id (default: the cycle's)",
                        },
                    ],
                    "responses": {**_ok("RegionCycle"), "400": _error_response("A bad parameter.")},
                }
            },
            "/countries/{alpha2}": {
                "get": {
                    "summary": "A country's released results, facts, evidence and action plans over cycles",
                    "operationId": "countryHistory",
                    "parameters": [
                        _path_param(
                            "alpha2",
                            {"type": "string", "pattern": "^[A-Za-z]{2}$"},
                            "ISO 3166-1 alpha-2 code",
                        )
                    ],
                    "responses": _ok("CountryHistory"),
                }
            },
            "/projects": {
                "get": {
                    "summary": "Capacity-building projects: public ones, and donor-level ones with a donor's token",
                    "operationId": "listProjects",
                    "parameters": [
                        {
                            "name": "country",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
                            "description": "Only projects for this beneficiary country (ISO 3166-1 alpha-2)",
                        }
                    ],
                    "responses": _ok("ProjectList"),
                }
            },
        },
        "components": COMPONENTS,
    }

"""The OpenAPI 3.1 description of the read-only API, served at /api/v1/openapi.json."""

from __future__ import annotations

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
        "401": _error_response("The bearer token is unknown or revoked."),
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
            "description": "A token from `flask api-tokens create USERNAME`. "
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
            ],
            "properties": {
                "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
                "release_level": RELEASE,
                "is_demo": {"type": "boolean"},
                "overall_score": NULLABLE_NUMBER,
                "overall_stage": NULLABLE_STAGE,
                "pillars": PILLARS,
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
            ],
            "properties": {
                "cycle": {"type": "integer"},
                "framework_version": {"type": "string"},
                "release_level": RELEASE,
                "is_demo": {"type": "boolean"},
                "overall_score": NULLABLE_NUMBER,
                "overall_stage": NULLABLE_STAGE,
                "pillars": PILLARS,
            },
        },
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
                    "summary": "Released scores of a region's members in a cycle",
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
                    "summary": "A country's released results over cycles",
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

"""The service document and ``$metadata`` (CSDL XML) of the feed, from the entity sets'
declarations (:mod:`kpiboard.web.odata.entities`)."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from kpiboard.web.odata.entities import ENTITY_SETS

__all__ = ["NAMESPACE", "metadata_xml", "service_document"]

NAMESPACE = "kpiboard"
EDMX = "http://docs.oasis-open.org/odata/ns/edmx"
EDM = "http://docs.oasis-open.org/odata/ns/edm"


def service_document(root: str) -> dict[str, Any]:
    """The entity sets, for a client that starts at ``/odata/`` (``root`` ends with /)."""
    return {
        "@odata.context": f"{root}$metadata",
        "value": [
            {"name": entity.name, "kind": "EntitySet", "url": entity.name}
            for entity in ENTITY_SETS.values()
        ],
    }


def metadata_xml() -> bytes:
    """CSDL 4.0: an entity type per set (its key, its properties with Edm types and whether
    they may be null) and the container that lists the sets."""
    ET.register_namespace("edmx", EDMX)
    root = ET.Element(f"{{{EDMX}}}Edmx", {"Version": "4.0"})
    services = ET.SubElement(root, f"{{{EDMX}}}DataServices")
    # The schema's own elements unprefixed, in the EDM namespace its xmlns declares.
    schema = ET.SubElement(services, "Schema", {"xmlns": EDM, "Namespace": NAMESPACE})
    for entity in ENTITY_SETS.values():
        kind = ET.SubElement(schema, "EntityType", {"Name": entity.type_name})
        key = ET.SubElement(kind, "Key")
        for name in entity.keys:
            ET.SubElement(key, "PropertyRef", {"Name": name})
        for prop in entity.properties:
            ET.SubElement(
                kind,
                "Property",
                {
                    "Name": prop.name,
                    "Type": prop.type,
                    "Nullable": "true"
                    if prop.nullable and prop.name not in entity.keys
                    else "false",
                },
            )
    container = ET.SubElement(schema, "EntityContainer", {"Name": "Container"})
    for entity in ENTITY_SETS.values():
        ET.SubElement(
            container,
            "EntitySet",
            {"Name": entity.name, "EntityType": f"{NAMESPACE}.{entity.type_name}"},
        )
    written: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return written

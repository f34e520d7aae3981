/// What kind of principal a party is.
public enum PartyKind: String, Sendable, Hashable, CaseIterable {
    /// A region (landsting), e.g. Region Norrbotten.
    case region
    /// A municipality (kommun).
    case municipality
    /// A city district administration (stadsdelsförvaltning), e.g. in Stockholm.
    case cityDistrict = "city_district"
    /// A joint authority (kommunalförbund) such as KSON in Norrtälje.
    case jointAuthority = "joint_authority"
    /// An association that speaks for several municipalities, e.g. Norrbottens Kommuner.
    case municipalAssociation = "municipal_association"
    /// A level of care within a region: primary care, hospital care.
    case careLevel = "care_level"
    /// Anyone else taking part: police, independent schools, churches.
    case other
}

/// A principal (huvudman) or a part of one that takes turns in a rotation.
public struct Party: Hashable, Sendable, Identifiable {
    /// Stable id, e.g. `region-norrbotten`.
    public var id: String
    /// Display name.
    public var name: String
    /// The kind of party.
    public var kind: PartyKind
    /// Larger parties this one belongs to (a municipality in `norrbottens-kommuner`, a care level in its region).
    public var partOf: [String]
    /// The area it lies in, if any.
    public var area: String?
    /// Where it is declared.
    public var location: SourceLocation?

    /// Creates a party.
    public init(
        id: String, name: String, kind: PartyKind, partOf: [String] = [], area: String? = nil,
        location: SourceLocation? = nil
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.partOf = partOf
        self.area = area
        self.location = location
    }
}

/// A county sub-area (länsdel, närsjukvårdsområde) or another geographic area with its own terms.
public struct Area: Hashable, Sendable, Identifiable {
    /// Stable id, e.g. `norrbotten-norra`.
    public var id: String
    /// Display name.
    public var name: String
    /// The parties (municipalities) in it.
    public var parties: [String]
    /// The school terms of the area, if they differ from the default.
    public var terms: TermRules?
    /// Where it is declared.
    public var location: SourceLocation?

    /// Creates an area.
    public init(id: String, name: String, parties: [String], terms: TermRules? = nil, location: SourceLocation? = nil) {
        self.id = id
        self.name = name
        self.parties = parties
        self.terms = terms
        self.location = location
    }
}

/// A person who holds offices and receives notifications.
public struct Person: Hashable, Sendable, Identifiable {
    /// Stable id, e.g. `birgitta-engrund-sohlberg`.
    public var id: String
    /// Full name.
    public var name: String
    /// E-mail address.
    public var email: String
    /// Chat and webhook handles by channel name (`matrix`, `teams`, `slack`).
    public var handles: [String: String]
    /// Where it is declared.
    public var location: SourceLocation?

    /// Creates a person.
    public init(
        id: String, name: String, email: String, handles: [String: String] = [:], location: SourceLocation? = nil
    ) {
        self.id = id
        self.name = name
        self.email = email
        self.handles = handles
        self.location = location
    }
}

/// An office (befattning, funktion) held by a person on behalf of a party: närsjukvårdschef, socialchef,
/// the GSA health centre's coordinator, samverkansledare.
public struct Office: Hashable, Sendable, Identifiable {
    /// Stable id, e.g. `narsjukvardschef-norra`.
    public var id: String
    /// The title as the organisation writes it.
    public var title: String
    /// The party the office acts for.
    public var party: String
    /// The person who holds it now.
    public var holder: String
    /// The area it serves, if any.
    public var area: String?
    /// Coordinating roles the office carries, e.g. `gsa`, `ksa`.
    public var roles: [String]
    /// Where it is declared.
    public var location: SourceLocation?

    /// Creates an office.
    public init(
        id: String, title: String, party: String, holder: String, area: String? = nil, roles: [String] = [],
        location: SourceLocation? = nil
    ) {
        self.id = id
        self.title = title
        self.party = party
        self.holder = holder
        self.area = area
        self.roles = roles
        self.location = location
    }
}

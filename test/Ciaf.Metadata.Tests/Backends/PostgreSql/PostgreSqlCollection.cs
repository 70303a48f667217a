namespace Ciaf.Metadata.Tests.Backends.PostgreSql;

/// <summary>Every PostgreSQL test class shares one server; each test uses its own schema.</summary>
[CollectionDefinition(Name)]
public sealed class PostgreSqlCollection : ICollectionFixture<PostgreSqlServer>
{
    public const string Name = "PostgreSQL server";
}

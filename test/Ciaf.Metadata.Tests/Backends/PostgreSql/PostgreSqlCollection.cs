namespace Ciaf.Metadata.Tests.Backends.PostgreSql;

/// <summary>Every PostgreSQL test class shares one server; each test uses its own schema.</summary>
[CollectionDefinition(Name)]
public sealed class PostgreSqlCollection : ICollectionFixture<PostgreSqlServer>
{
    public const string Name = "PostgreSQL server";
}

/// <summary>
/// PostgreSQL test classes that measure the process (live memory): run alone, after the parallel ones, as
/// <see cref="Support.SerialCollection"/> does, with a server of their own.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostgreSqlSerialCollection : ICollectionFixture<PostgreSqlServer>
{
    public const string Name = "PostgreSQL server, serial";
}

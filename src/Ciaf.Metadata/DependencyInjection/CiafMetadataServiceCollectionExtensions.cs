using Ciaf.Metadata;
using Ciaf.Metadata.Configuration;
using Ciaf.Metadata.DependencyInjection;
using Ciaf.Metadata.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers CIAF Metadata with Microsoft.Extensions.DependencyInjection.</summary>
public static class CiafMetadataServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="MetadataConfig"/> (the defaults, then <paramref name="configuration"/> — e.g.
    /// <c>configuration.GetSection("Ciaf")</c>, snake_case keys — then the <c>CIAF_*</c> variables), a singleton
    /// <see cref="MetadataStorage"/> built from it (validated when first resolved; disposed, and so flushed, with
    /// the container), and <see cref="ModelMetadataManagerFactory"/> for managers and compliance trackers.
    /// </summary>
    public static IServiceCollection AddCiafMetadata(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(_ => MetadataConfig.FromConfiguration(configuration));
        services.TryAddSingleton(sp =>
            new MetadataStorage(MetadataStorageOptions.FromConfig(sp.GetRequiredService<MetadataConfig>(), sp.GetService<ILoggerFactory>())));
        services.TryAddSingleton(sp => new ModelMetadataManagerFactory(
            sp.GetRequiredService<MetadataStorage>(), sp.GetRequiredService<MetadataConfig>(), sp.GetService<ILoggerFactory>()));
        return services;
    }

    /// <summary>
    /// Registers a singleton <see cref="MetadataStorage"/> built by <paramref name="configure"/> (choose the backend with
    /// its options, e.g. <c>b => b.UseSqlite("metadata", o => o.JournalMode = "WAL")</c>; set common options with
    /// <c>b.Configure(o => ...)</c>), validated when first resolved and disposed (so flushed) with the container. The
    /// container's <see cref="ILoggerFactory"/> is used unless the builder sets one. Also registers
    /// <see cref="MetadataConfig"/> (defaults, then the <c>CIAF_*</c> variables) for <see cref="ModelMetadataManagerFactory"/>.
    /// </summary>
    public static IServiceCollection AddCiafMetadata(this IServiceCollection services, Action<MetadataStorageBuilder> configure) =>
        services.AddCiafMetadata((_, builder) => configure(builder));

    /// <inheritdoc cref="AddCiafMetadata(IServiceCollection, Action{MetadataStorageBuilder})"/>
    public static IServiceCollection AddCiafMetadata(this IServiceCollection services, Action<IServiceProvider, MetadataStorageBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.TryAddSingleton(_ => new MetadataConfig());
        services.TryAddSingleton(sp =>
        {
            var builder = new MetadataStorageBuilder();
            if (sp.GetService<ILoggerFactory>() is { } loggerFactory) builder.Options.LoggerFactory = loggerFactory;
            configure(sp, builder);
            return builder.Build();
        });
        services.TryAddSingleton(sp => new ModelMetadataManagerFactory(
            sp.GetRequiredService<MetadataStorage>(), sp.GetRequiredService<MetadataConfig>(), sp.GetService<ILoggerFactory>()));
        return services;
    }
}

using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;

namespace PipelineRunner.Pipelines.Internal;

/// <summary>
/// Invokes any delegate with an argument array and returns its (awaited) result as a <see cref="ValueTask{TResult}"/>.
/// One compiled invoker per delegate type, so a pipeline of many nodes built from few delegate types compiles little.
/// </summary>
internal static class DelegateInvoker
{
    private static readonly ConcurrentDictionary<Type, Func<Delegate, object?[], ValueTask<object?>>> Cache = new();

    public static Func<Delegate, object?[], ValueTask<object?>> For(Type delegateType) => Cache.GetOrAdd(delegateType, Build);

    /// <summary>The type a function's result has once awaited; <see cref="void"/> for none.</summary>
    public static Type UnwrapReturnType(Type returnType)
    {
        if (returnType == typeof(Task) || returnType == typeof(ValueTask))
        {
            return typeof(void);
        }

        if (returnType.IsGenericType)
        {
            var definition = returnType.GetGenericTypeDefinition();
            if (definition == typeof(Task<>) || definition == typeof(ValueTask<>))
            {
                return returnType.GetGenericArguments()[0];
            }
        }

        return returnType;
    }

    private static Func<Delegate, object?[], ValueTask<object?>> Build(Type delegateType)
    {
        var invoke = delegateType.GetMethod("Invoke")!;
        var target = Expression.Parameter(typeof(Delegate), "target");
        var args = Expression.Parameter(typeof(object?[]), "args");
        var parameters = invoke.GetParameters();
        var arguments = new Expression[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            arguments[i] = Expression.Convert(Expression.ArrayIndex(args, Expression.Constant(i)), parameters[i].ParameterType);
        }

        var call = Expression.Call(Expression.Convert(target, delegateType), invoke, arguments);
        var returnType = invoke.ReturnType;
        Expression body;
        if (returnType == typeof(void))
        {
            body = Expression.Block(call, Expression.Default(typeof(ValueTask<object?>)));
        }
        else if (returnType == typeof(Task))
        {
            body = Expression.Call(Helper(nameof(FromTask)), call);
        }
        else if (returnType == typeof(ValueTask))
        {
            body = Expression.Call(Helper(nameof(FromValueTask)), call);
        }
        else if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            body = Expression.Call(Helper(nameof(FromTaskOf)).MakeGenericMethod(returnType.GetGenericArguments()), call);
        }
        else if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
        {
            body = Expression.Call(Helper(nameof(FromValueTaskOf)).MakeGenericMethod(returnType.GetGenericArguments()), call);
        }
        else
        {
            body = Expression.New(
                typeof(ValueTask<object?>).GetConstructor([typeof(object)])!,
                Expression.Convert(call, typeof(object)));
        }

        return Expression.Lambda<Func<Delegate, object?[], ValueTask<object?>>>(body, target, args).Compile();
    }

    private static MethodInfo Helper(string name) =>
        typeof(DelegateInvoker).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!;

    private static ValueTask<object?> FromTask(Task task) =>
        task.IsCompletedSuccessfully ? default : AwaitTask(task);

    private static async ValueTask<object?> AwaitTask(Task task)
    {
        await task.ConfigureAwait(false);
        return null;
    }

    private static ValueTask<object?> FromValueTask(ValueTask task) =>
        task.IsCompletedSuccessfully ? default : AwaitTask(task.AsTask());

    private static ValueTask<object?> FromTaskOf<T>(Task<T> task) =>
        task.IsCompletedSuccessfully ? new ValueTask<object?>(task.Result) : AwaitTaskOf(task);

    private static async ValueTask<object?> AwaitTaskOf<T>(Task<T> task) => await task.ConfigureAwait(false);

    private static ValueTask<object?> FromValueTaskOf<T>(ValueTask<T> task) =>
        task.IsCompletedSuccessfully ? new ValueTask<object?>(task.Result) : AwaitTaskOf(task.AsTask());
}

# Shared build settings: warnings, sanitizers, and the wildchat_library /
# wildchat_test helpers every folder uses.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

set(WILDCHAT_WARNINGS -Wall -Wextra -Wno-unused-parameter)
if(WILDCHAT_WERROR)
  list(APPEND WILDCHAT_WARNINGS -Werror)
endif()

# x86-64-v2 (POPCNT, SSE4.2; every x86-64 server since about 2009): bitset
# counts are one instruction instead of a library call. The search engine's
# own code (WILDCHAT_ENGINE_MARCH, src/engine) is built for this machine's
# instruction set, since the binary is built where it runs
# (scripts/setup.sh): its scoring and hashing loops then run on the widest
# vectors the machine has (with AVX-512 the explorer's mix costs 4-5% less
# CPU than with x86-64-v2). For a binary to copy to other machines, set it to
# x86-64-v2. Floating-point contraction stays off, so that scores are the
# same to the last bit whatever the instruction set.
set(WILDCHAT_MARCH "x86-64-v2" CACHE STRING "-march for x86-64 builds")
set(WILDCHAT_ENGINE_MARCH "native" CACHE STRING "-march for the search engine on x86-64")
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  add_compile_options(-march=${WILDCHAT_MARCH})
endif()
add_compile_options(-ffp-contract=off)

if(WILDCHAT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

if(WILDCHAT_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()

# wildchat_library(NAME SOURCES a.cc b.cc DEPS lib1 lib2)
function(wildchat_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${WILDCHAT_WARNINGS})
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# wildchat_test(NAME SOURCES a_test.cc DEPS lib1) — a GoogleTest executable
# registered with ctest. Tests run with the source tree and the build tree
# available through WILDCHAT_SOURCE_DIR / WILDCHAT_BINARY_DIR.
function(wildchat_test name)
  if(NOT WILDCHAT_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${WILDCHAT_WARNINGS})
  target_compile_definitions(${name} PRIVATE
    WILDCHAT_SOURCE_DIR="${CMAKE_SOURCE_DIR}" WILDCHAT_BINARY_DIR="${CMAKE_BINARY_DIR}")
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT ${ARG_TIMEOUT})
endfunction()

# wildchat_assets(LIB FUNCTION ROOT dir) — a library exposing every file below
# ROOT (a folder of static web files) as `const EmbeddedAsset* FUNCTION()`,
# declared by the caller as in base/embedded_assets.h. Rebuilt when a file changes.
function(wildchat_assets lib func root)
  file(GLOB_RECURSE abs CONFIGURE_DEPENDS "${root}/*")
  set(rel "")
  foreach(f IN LISTS abs)
    file(RELATIVE_PATH r "${root}" "${f}")
    list(APPEND rel "${r}")
  endforeach()
  string(REPLACE ";" "|" rel_joined "${rel}")
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${lib}_assets.cc")
  add_custom_command(OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNAME=${func} -DROOT=${root} "-DFILES=${rel_joined}"
            -P ${CMAKE_SOURCE_DIR}/cmake/embed_assets.cmake
    DEPENDS ${abs} ${CMAKE_SOURCE_DIR}/cmake/embed_assets.cmake
    COMMENT "Embedding ${root}" VERBATIM)
  add_library(${lib} STATIC "${out}")
  target_include_directories(${lib} PUBLIC ${CMAKE_SOURCE_DIR}/src)
endfunction()
